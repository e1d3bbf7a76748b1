import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './liveProject.js';

/** A project from `sluice init` whose sluice.yaml puts the state in PostgreSQL (the key init writes as a comment, replaced). */
async function postgresProject(url: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bkpg-'));
  const init = await cli(dir, ['init', '.']);
  if (init.code !== 0) throw new Error(init.stderr);
  const file = join(dir, 'sluice.yaml');
  const yaml = readFileSync(file, 'utf8');
  const replaced = yaml.replace(/^ {2}# state: \{ type: postgres.*$/m, `  state: { type: postgres, url: "${url}" }`);
  if (replaced === yaml) throw new Error('sluice init no longer writes the stores.state example this test replaces');
  writeFileSync(file, replaced);
  return dir;
}

describe('sluice backup and restore with the state in PostgreSQL (issue 17, point 1)', () => {
  it('refuses to back up, pointing to pg_dump, writing nothing and never showing the password', async () => {
    const dir = await postgresProject('postgres://sluice:s3cret-pw@127.0.0.1:1/sluice');
    const r = await cli(dir, ['backup', 'bk']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('BACKUP_STATE_POSTGRES');
    expect(r.stderr).toContain('pg_dump');
    expect(r.stderr).toContain('postgres://sluice:***@127.0.0.1:1/sluice');
    expect(r.stderr).not.toContain('s3cret-pw');
    expect(existsSync(join(dir, 'bk'))).toBe(false);
    expect(existsSync(join(dir, '.sluice', 'sluice.db'))).toBe(false);
  });

  it('refuses to restore, pointing to pg_restore, changing nothing', async () => {
    const dir = await postgresProject('postgres://sluice@127.0.0.1:1/sluice');
    const r = await cli(dir, ['restore', 'bk']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('RESTORE_STATE_POSTGRES');
    expect(r.stderr).toContain('pg_restore');
    expect(existsSync(join(dir, '.sluice', 'sluice.db'))).toBe(false);
  });

  it('refuses when SLUICE_DATABASE_URL chooses PostgreSQL, whatever sluice.yaml says', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-bkpg-'));
    expect((await cli(dir, ['init', '.'])).code).toBe(0);
    const r = await cli(dir, ['backup', 'bk'], { SLUICE_DATABASE_URL: 'postgres://u@127.0.0.1:1/db' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('BACKUP_STATE_POSTGRES');
    expect(r.stderr).toContain('SLUICE_DATABASE_URL');
  });
});
