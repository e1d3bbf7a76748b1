import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { approverSchema, configSchema, type ApproverConfig } from '../../core/config.js';
import { SluiceError } from '../../core/errors.js';
import { atomicWriteFile } from '../../engine/atomicWriteFile.js';
import type { Role } from './AuthGate.js';

/** A user to add to sluice.yaml `approvers`. */
export interface NewUser {
  name: string;
  role: Role;
  email?: string | undefined;
  passwordHash?: string | undefined;
}

function readDoc(file: string): Document {
  const doc = parseDocument(readFileSync(file, 'utf8'));
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new SluiceError('YAML_SYNTAX', `${file}: ${e.message.split('\n')[0]}`, {
      location: { file, line: e.linePos?.[0]?.line, column: e.linePos?.[0]?.col },
      hint: 'fix the YAML syntax first',
    });
  }
  return doc;
}

/** Checks the whole configuration as it would be written, so a bad value never reaches the file. */
function checkAndWrite(file: string, doc: Document): Promise<void> {
  const parsed = configSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SluiceError('USER_INVALID', `the user would make sluice.yaml invalid: ${issue.path.join('.')}: ${issue.message}`, {
      location: { file, field: issue.path.join('.') },
      hint: 'check the name, e-mail address and role',
    });
  }
  return atomicWriteFile(file, doc.toString());
}

/**
 * Appends a user to `approvers` in sluice.yaml, keeping the file's comments and layout (the
 * `yaml` Document API edits the syntax tree, not a re-serialised copy). Refuses a name that is
 * already there (names are case-insensitive). The file is replaced atomically.
 *
 * @example
 * await addUserToConfig('sluice.yaml', { name: 'Ana', role: 'approver', email: 'ana@example.com', passwordHash });
 */
export async function addUserToConfig(file: string, user: NewUser): Promise<ApproverConfig> {
  const entry = approverSchema.safeParse({ ...user, email: user.email || undefined, passwordHash: user.passwordHash || undefined });
  if (!entry.success) {
    const issue = entry.error.issues[0]!;
    throw new SluiceError('USER_INVALID', `${issue.path.join('.') || 'user'}: ${issue.message}`, {
      location: { field: issue.path.join('.') },
      hint: 'a user needs a name, a role (viewer, approver, admin) and optionally a valid e-mail address',
    });
  }
  const doc = readDoc(file);
  const seq = doc.get('approvers', true);
  const existing = (isSeq(seq) ? seq.items : []).map((it) => (isMap(it) ? String(it.get('name') ?? '') : ''));
  if (existing.some((n) => n.toLowerCase() === user.name.toLowerCase())) {
    throw new SluiceError('USER_EXISTS', `"${user.name}" is already a user in ${file}`, {
      location: { file, field: 'approvers' },
      hint: 'pick another name, or change the existing entry (`sluice users set-password NAME` sets a new password)',
    });
  }
  const plain: Record<string, string> = {
    name: entry.data.name,
    ...(entry.data.email ? { email: entry.data.email } : {}),
    role: entry.data.role,
    ...(entry.data.passwordHash ? { passwordHash: entry.data.passwordHash } : {}),
  };
  const node = doc.createNode(plain);
  if (isSeq(seq)) {
    // `approvers: []` is a flow sequence; the new entry reads better as a block list.
    if (seq.items.length === 0) seq.flow = false;
    seq.add(node);
  } else if (seq === undefined || (isScalar(seq) && (seq.value === null || seq.value === undefined))) {
    doc.set('approvers', doc.createNode([plain]));
  } else {
    throw new SluiceError('CONFIG_INVALID', `${file}: approvers is not a list`, {
      location: { file, field: 'approvers' },
      hint: 'approvers is a list of users: - { name: Ana, role: approver }',
    });
  }
  await checkAndWrite(file, doc);
  return entry.data;
}

/** Sets (or replaces) a user's `passwordHash` in sluice.yaml, keeping comments. */
export async function setUserPasswordHash(file: string, name: string, passwordHash: string): Promise<void> {
  const doc = readDoc(file);
  const seq = doc.get('approvers', true);
  const item = isSeq(seq) ? seq.items.find((it) => isMap(it) && String(it.get('name') ?? '').toLowerCase() === name.toLowerCase()) : undefined;
  if (!item || !isMap(item)) {
    throw new SluiceError('USER_UNKNOWN', `"${name}" is not a user in ${file}`, {
      location: { file, field: 'approvers' },
      hint: 'list the users with `sluice users list`, or add one with `sluice users add NAME`',
    });
  }
  item.set('passwordHash', passwordHash);
  await checkAndWrite(file, doc);
}
