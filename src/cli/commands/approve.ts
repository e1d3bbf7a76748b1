import type { Command } from 'commander';
// Heavy modules load inside the actions, so `sluice --help` starts fast (test/cli/startup.test.ts).
const lib = async () => ({
  ...(await import('../../pipeline/project/cliDecision.js')),
  ...(await import('../../pipeline/project/loadProject.js')),
  ...(await import('../../pipeline/project/ProjectRuntime.js')),
});

/** `sluice approve EXECUTION [--comment ...]`. */
export function register(program: Command): void {
  program
    .command('approve')
    .description('approve the batch an execution waits on')
    .argument('<execution>', 'execution id')
    .option('-c, --comment <text>', 'a comment, recorded with the decision')
    .option('--as <name>', 'the approver deciding (a name from sluice.yaml approvers)')
    .option('-p, --project <dir>', 'project folder')
    .action(async (id: string, o: { comment?: string; as?: string; project?: string }) => {
      const { cliDecision, loadProject, ProjectRuntime } = await lib();
      const runtime = await ProjectRuntime.open(loadProject(o.project));
      try {
        const d = await cliDecision(runtime, { executionId: id, decision: 'approve', as: o.as, comment: o.comment });
        process.stdout.write(`${id}: approved by ${d.by} at ${d.at}\n`);
      } finally {
        await runtime.close();
      }
    });
}
