import type { Command } from 'commander';
// Heavy modules load inside the actions, so `sluice --help` starts fast (test/cli/startup.test.ts).
const lib = async () => ({
  ...(await import('../../pipeline/project/cliDecision.js')),
  ...(await import('../../pipeline/project/loadProject.js')),
  ...(await import('../../pipeline/project/ProjectRuntime.js')),
});

/** `sluice reject EXECUTION --reason ...`. */
export function register(program: Command): void {
  program
    .command('reject')
    .description('reject the batch an execution waits on (a reason is required)')
    .argument('<execution>', 'execution id')
    .requiredOption('-r, --reason <text>', 'why the batch is rejected (recorded and shown to the team)')
    .option('-c, --comment <text>', 'a further comment')
    .option('--as <name>', 'the approver deciding (a name from sluice.yaml approvers)')
    .option('-p, --project <dir>', 'project folder')
    .action(async (id: string, o: { reason: string; comment?: string; as?: string; project?: string }) => {
      const { cliDecision, loadProject, ProjectRuntime } = await lib();
      const runtime = await ProjectRuntime.open(loadProject(o.project));
      try {
        const d = await cliDecision(runtime, { executionId: id, decision: 'reject', as: o.as, reason: o.reason, comment: o.comment });
        process.stdout.write(`${id}: rejected by ${d.by} at ${d.at}: ${d.reason}\n`);
      } finally {
        await runtime.close();
      }
    });
}
