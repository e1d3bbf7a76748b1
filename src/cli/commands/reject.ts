import type { Command } from 'commander';
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
      // Heavy modules load inside the action, so `sluice --help` starts fast (test/cli/startup.test.ts).
      const { decideInProject } = await import('../../pipeline/project/cliDecision.js');
      const d = await decideInProject(o.project, { executionId: id, decision: 'reject', as: o.as, reason: o.reason, comment: o.comment });
      process.stdout.write(`${id}: rejected by ${d.by} at ${d.at}: ${d.reason}\n`);
    });
}
