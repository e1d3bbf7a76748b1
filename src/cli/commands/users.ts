import type { Command } from 'commander';
import { SluiceError } from '../../core/errors.js';
import { ROLES, type Role } from '../../server/auth/AuthGate.js';
import { cliUser } from './tokens.js';

// Heavy modules load inside the actions, so `sluice --help` starts fast (test/cli/startup.test.ts).
const lib = async () => ({
  ...(await import('../../pipeline/project/loadProject.js')),
  ...(await import('../../server/auth/configUsers.js')),
  ...(await import('../../pipeline/project/openProjectState.js')),
  ...(await import('../../server/auth/AuditLog.js')),
  ...(await import('../../server/auth/SessionStore.js')),
  ...(await import('../renderTable.js')),
});

/** Reads one line typed at the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    let typed = '';
    const done = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          done();
          return resolve(typed);
        }
        if (ch === '\u0003') {
          done();
          return reject(new SluiceError('CANCELLED', 'cancelled', { hint: 'nothing was changed' }));
        }
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    // Echo goes off before the question shows, so nothing typed right after it is echoed.
    stdin.setEncoding('utf8');
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
    process.stderr.write(question);
  });
}

/** scrypt hashing (node:crypto), loaded when a password is set. */
async function hashPassword(password: string): Promise<string> {
  return (await import('../../server/auth/password.js')).hashPassword(password);
}

/**
 * The password to hash: the first line of standard input when it is a pipe (scripts, tests),
 * else typed twice at a prompt that does not echo. Never a command-line argument: those end up
 * in shell history and `ps`.
 */
async function readPassword(): Promise<string> {
  // Loaded here: it loads node:crypto, which no other users command needs at start.
  const { checkPasswordInput, MAX_PASSWORD_LENGTH } = await import('../../server/auth/password.js');
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of process.stdin as AsyncIterable<Buffer>) {
      chunks.push(c);
      size += c.length;
      if (size > MAX_PASSWORD_LENGTH * 4 + 2) break;
    }
    const line = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
    if (!line) {
      throw new SluiceError('PASSWORD_MISSING', 'no password on standard input', {
        hint: 'pipe one in (printf %s "$PASSWORD" | sluice users ...), or run the command in a terminal to be asked',
      });
    }
    return checkPasswordInput(line);
  }
  const first = checkPasswordInput(await promptHidden('Password: '));
  const again = await promptHidden('Password again: ');
  if (first !== again)
    throw new SluiceError('PASSWORD_MISMATCH', 'the two passwords differ', { hint: 'run the command again and type the same password twice' });
  return first;
}

function checkRole(role: string): Role {
  if (!(ROLES as readonly string[]).includes(role)) {
    throw new SluiceError('USER_BAD_ROLE', `"${role}" is not a role`, {
      location: { field: 'role' },
      hint: `roles: ${ROLES.join(', ')} (a viewer reads, an approver also decides, an admin also changes models)`,
    });
  }
  return role as Role;
}

/** `sluice users list|add|set-password|hash-password`: the people in sluice.yaml `approvers`. */
export function register(program: Command): void {
  const users = program.command('users').description('people who sign in to the console (sluice.yaml approvers): list, add, set a password');

  users
    .command('list')
    .description('list the users, their roles and whether they have a password')
    .option('-p, --project <dir>', 'project folder')
    .option('--json', 'print JSON')
    .action(async (o: { project?: string; json?: boolean }) => {
      const { loadProject, renderTable } = await lib();
      const rows = loadProject(o.project).config.approvers.map((a) => ({
        name: a.name,
        role: a.role,
        email: a.email ?? null,
        password: a.passwordHash ? 'set' : 'none',
      }));
      process.stdout.write(o.json ? `${JSON.stringify(rows, null, 2)}\n` : `${renderTable(['name', 'role', 'email', 'password'], rows, 40)}\n`);
    });

  users
    .command('add')
    .description('add a user to sluice.yaml (comments are kept); asks for the password, or reads it from standard input')
    .argument('<name>', 'the name they sign in with')
    .option('--role <role>', `${ROLES.join(', ')}`, 'approver')
    .option('--email <address>', 'where approval messages go')
    .option('--no-password', 'no console password: the user decides through approval links only')
    .option('-p, --project <dir>', 'project folder')
    .action(async (name: string, o: { role: string; email?: string; password: boolean; project?: string }) => {
      const role = checkRole(o.role);
      const { addUserToConfig, AuditLog, loadProject, openProjectState } = await lib();
      const project = loadProject(o.project);
      if (project.config.approvers.some((a) => a.name.toLowerCase() === name.trim().toLowerCase())) {
        throw new SluiceError('USER_EXISTS', `"${name}" is already a user in ${project.file}`, {
          hint: 'pick another name, or `sluice users set-password NAME` to change the password',
        });
      }
      const passwordHash = o.password ? await hashPassword(await readPassword()) : undefined;
      const added = await addUserToConfig(project.file, { name: name.trim(), role, email: o.email, passwordHash });
      const db = await openProjectState(project);
      try {
        await new AuditLog(db).append({ actor: cliUser(), action: 'user.add', target: `user:${added.name}`, detail: `role ${added.role}`, ip: null });
      } finally {
        await db.close();
      }
      process.stdout.write(
        `added ${added.name} (${added.role}${added.email ? `, ${added.email}` : ''}) to ${project.file}${passwordHash ? '' : ', without a password'}\n`,
      );
    });

  users
    .command('set-password')
    .description("set a user's console password (asks for it, or reads it from standard input)")
    .argument('<name>', 'a user in sluice.yaml')
    .option('-p, --project <dir>', 'project folder')
    .action(async (name: string, o: { project?: string }) => {
      const { AuditLog, loadProject, openProjectState, SessionStore, setUserPasswordHash } = await lib();
      const project = loadProject(o.project);
      const hash = await hashPassword(await readPassword());
      await setUserPasswordHash(project.file, name, hash);
      // A new password ends the sessions opened with the old one.
      const db = await openProjectState(project);
      try {
        const ended = await new SessionStore(db).deleteUser(name);
        await new AuditLog(db).append({ actor: cliUser(), action: 'user.password', target: `user:${name}`, detail: `${ended} session(s) ended`, ip: null });
      } finally {
        await db.close();
      }
      process.stdout.write(`password of ${name} set in ${project.file}; their open sessions were ended\n`);
    });

  users
    .command('hash-password')
    .description('read a password (standard input, or a prompt without echo) and print its scrypt hash for passwordHash in sluice.yaml')
    .action(async () => {
      process.stdout.write(`${await hashPassword(await readPassword())}\n`);
    });
}
