import type { Command } from 'commander';
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
      // Heavy modules load inside the action, so `sluice --help` starts fast (test/cli/startup.test.ts).
      const { decideInProject } = await import('../../pipeline/project/cliDecision.js');
      const d = await decideInProject(o.project, { executionId: id, decision: 'approve', as: o.as, comment: o.comment });
      process.stdout.write(`${id}: approved by ${d.by} at ${d.at}\n`);
    });
}
