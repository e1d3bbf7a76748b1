import type { Command } from 'commander';
import { SluiceError } from '../../core/errors.js';
// Heavy modules load inside the actions, so `sluice --help` starts fast (test/cli/startup.test.ts).
const lib = async () => ({
  ...(await import('../../pipeline/project/loadProject.js')),
  ...(await import('../../server/auth/AuditLog.js')),
  ...(await import('../../pipeline/project/openProjectState.js')),
  ...(await import('../renderTable.js')),
});

/** `sluice audit`: the audit log of the project (decisions, model changes, sign-ins, tokens), newest first. */
export function register(program: Command): void {
  program
    .command('audit')
    .description('show the audit log: decisions, model changes, sign-ins and token changes, newest first')
    .option('--actor <name>', 'only what this person did')
    .option('--action <action>', 'only this action (approval.approve), or a prefix ending in a dot (approval.)')
    .option('--limit <n>', 'how many entries', '50')
    .option('--before <id>', 'entries older than this id (paging)')
    .option('--json', 'print JSON')
    .option('-p, --project <dir>', 'project folder')
    .action(async (o: { actor?: string; action?: string; limit: string; before?: string; json?: boolean; project?: string }) => {
      const limit = Number(o.limit);
      const before = o.before === undefined ? undefined : Number(o.before);
      if (!Number.isInteger(limit) || limit < 1)
        throw new SluiceError('CLI_BAD_OPTION', `--limit ${o.limit} is not a positive whole number`, { hint: 'e.g. --limit 100' });
      if (before !== undefined && !Number.isInteger(before))
        throw new SluiceError('CLI_BAD_OPTION', `--before ${o.before} is not an entry id`, { hint: 'use the smallest id of the previous page' });
      const { AuditLog, loadProject, openProjectState, renderTable } = await lib();
      const project = loadProject(o.project);
      const db = await openProjectState(project);
      try {
        const entries = await new AuditLog(db).list({
          limit,
          ...(before !== undefined ? { before } : {}),
          ...(o.actor ? { actor: o.actor } : {}),
          ...(o.action ? { action: o.action } : {}),
        });
        process.stdout.write(
          o.json
            ? `${JSON.stringify(entries, null, 2)}\n`
            : `${renderTable(
                ['id', 'at', 'actor', 'action', 'target', 'detail', 'ip'],
                entries.map((e) => ({ ...e })),
                40,
              )}\n`,
        );
      } finally {
        await db.close();
      }
    });
}
