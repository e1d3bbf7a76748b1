import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { SluiceError } from '../../core/errors.js';
import { durationMs } from '../../pipeline/definition/duration.js';
// Heavy modules load inside the actions, so `sluice --help` starts fast (test/cli/startup.test.ts).
import type { Project } from '../../pipeline/project/loadProject.js';
import type { TokenInfo } from '../../server/auth/TokenStore.js';
import type { StateDb } from '../../state/StateDb.js';

const lib = async () => ({
  ...(await import('../../pipeline/project/loadProject.js')),
  ...(await import('../../server/auth/AuditLog.js')),
  ...(await import('../../server/auth/TokenStore.js')),
  ...(await import('../../pipeline/project/openProjectState.js')),
  ...(await import('../renderTable.js')),
});
type Lib = Awaited<ReturnType<typeof lib>>;

/** Who runs the command, for the audit log: $SLUICE_USER or the login name, marked as from the CLI. */
export function cliUser(): string {
  try {
    return `cli:${process.env.SLUICE_USER ?? userInfo().username}`;
  } catch {
    return 'cli:unknown';
  }
}

async function withDb<T>(dir: string | undefined, fn: (project: Project, db: StateDb, m: Lib) => Promise<T>): Promise<T> {
  const m = await lib();
  const project = m.loadProject(dir);
  const db = await m.openProjectState(project);
  try {
    return await fn(project, db, m);
  } finally {
    await db.close();
  }
}

function expiry(text: string): number | undefined {
  if (text === 'never') return undefined;
  try {
    const ms = durationMs(text);
    if (ms <= 0) throw new Error('zero');
    return Date.now() + ms;
  } catch {
    throw new SluiceError('TOKEN_BAD_EXPIRY', `"${text}" is not a duration`, { location: { field: 'expires' }, hint: 'write e.g. 30d, 12h, 1w, or never' });
  }
}

const statusOf = (t: TokenInfo): string => (t.revokedAt ? 'revoked' : t.expiresAt && Date.parse(t.expiresAt) <= Date.now() ? 'expired' : 'active');

/** `sluice tokens create|list|revoke`: API tokens for the REST API and the CLI against a remote server. */
export function register(program: Command): void {
  const tokens = program.command('tokens').description('API tokens for the REST API and `sluice api` against a remote server');

  tokens
    .command('create')
    .description('create an API token for a user; it is printed once and only its hash is kept')
    .requiredOption('--user <name>', 'the user (from sluice.yaml approvers) the token acts as, with their role')
    .option('--name <label>', 'a label to recognise it by (laptop, ci...)')
    .option('--expires <duration>', 'lifetime: 30d, 12h, 1w... or never', '90d')
    .option('-p, --project <dir>', 'project folder')
    .action(async (o: { user: string; name?: string; expires: string; project?: string }) => {
      const expiresAt = expiry(o.expires);
      await withDb(o.project, async (project, db, { AuditLog, TokenStore }) => {
        const user = project.config.approvers.find((a) => a.name.toLowerCase() === o.user.toLowerCase());
        if (!user) {
          throw new SluiceError('USER_UNKNOWN', `"${o.user}" is not a user in ${project.file}`, {
            location: { field: 'user' },
            hint: `users: ${project.config.approvers.map((a) => a.name).join(', ') || '(none)'}; add one with \`sluice users add NAME\``,
          });
        }
        const { token, info } = await new TokenStore(db).create(user.name, { name: o.name, expiresAt });
        await new AuditLog(db).append({
          actor: cliUser(),
          action: 'token.create',
          target: `user:${user.name}`,
          detail: `${info.id}${info.name ? ` (${info.name})` : ''}, expires ${info.expiresAt ?? 'never'}`,
          ip: null,
        });
        process.stderr.write(`token ${info.id} for ${user.name} (${user.role}), expires ${info.expiresAt ?? 'never'}. It is shown once: store it now.\n`);
        process.stdout.write(`${token}\n`);
      });
    });

  tokens
    .command('list')
    .description('list API tokens (never the tokens themselves)')
    .option('--user <name>', "only this user's")
    .option('--json', 'print JSON')
    .option('-p, --project <dir>', 'project folder')
    .action(async (o: { user?: string; json?: boolean; project?: string }) => {
      await withDb(o.project, async (_p, db, { renderTable, TokenStore }) => {
        const list = (await new TokenStore(db).list(o.user !== undefined ? { user: o.user } : {})).map((t) => ({ ...t, status: statusOf(t) }));
        process.stdout.write(
          o.json ? `${JSON.stringify(list, null, 2)}\n` : `${renderTable(['id', 'user', 'name', 'status', 'createdAt', 'expiresAt', 'lastUsedAt'], list)}\n`,
        );
      });
    });

  tokens
    .command('revoke')
    .description('revoke an API token: it stops working at once')
    .argument('<id>', 'the token id (tok_...), from `sluice tokens list`')
    .option('-p, --project <dir>', 'project folder')
    .action(async (id: string, o: { project?: string }) => {
      await withDb(o.project, async (_p, db, { AuditLog, TokenStore }) => {
        const t = await new TokenStore(db).revoke(id);
        await new AuditLog(db).append({ actor: cliUser(), action: 'token.revoke', target: `user:${t.user}`, detail: t.id, ip: null });
        process.stdout.write(`revoked ${t.id} (${t.user}${t.name ? `, ${t.name}` : ''})\n`);
      });
    });
}
