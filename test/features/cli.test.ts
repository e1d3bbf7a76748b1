import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sluiceProcess } from '../cli/run.js';
import { type CliRun, runCliInProcess } from '../support/runCliInProcess.js';

/** `sluice features ARGS --project DIR` in DIR, the built CLI in this process. */
function sluice(dir: string, ...args: string[]): Promise<CliRun> {
  return runCliInProcess(['features', ...args, '--project', dir], { cwd: dir });
}

describe('sluice features CLI', () => {
  it('creates, ingests, gets, queries, builds a dataset and deletes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-fscli-'));
    writeFileSync(join(dir, 'p.csv'), 'pid,ts,age,n\n1,2026-01-01T00:00:00Z,[50-60),2\n2,2026-01-02T00:00:00Z,[60-70),3\n2,2026-01-03T00:00:00Z,[60-70),4\n');
    writeFileSync(join(dir, 'e.csv'), 'pid,event_time\n2,2026-01-02T12:00:00Z\n2,2026-01-04T00:00:00Z\n1,2025-12-31T00:00:00Z\n');
    const created = await sluice(dir, 'create', 'patients', '--from', 'p.csv', '--id', 'pid', '--event-time', 'ts', '--tag', 'team=care');
    expect(created.stdout).toContain('created patients');
    const ing = await sluice(dir, 'ingest', 'patients', 'p.csv');
    expect(ing.stdout).toContain('ingested 2 records');
    expect(ing.stdout).toContain('1 duplicate id row(s) dropped: the latest event time of each id wins');
    expect((await sluice(dir, 'ingest', 'patients', 'p.csv')).stdout).toContain('already ingested');
    expect((await sluice(dir, 'list')).stdout).toMatch(/patients\s+pid\s+ts/);
    // The `sluice` command itself (a child process) reads the same store.
    expect(sluiceProcess(['features', 'list', '--project', dir], { cwd: dir }).stdout).toMatch(/patients\s+pid\s+ts/);
    const got = await sluice(dir, 'get', 'patients', '2');
    expect(JSON.parse(got.stdout)[0].values).toEqual({ pid: 2, ts: '2026-01-03T00:00:00.000Z', age: '[60-70)', n: 4 });
    const q = await sluice(dir, 'query', 'SELECT pid, n FROM patients_latest ORDER BY pid', '--json');
    expect(JSON.parse(q.stdout)).toEqual([
      { pid: 1, n: 2 },
      { pid: 2, n: 4 },
    ]);
    const ds = await sluice(dir, 'dataset', '--entities', 'e.csv', '--features', 'patients:n', '--out', 'train.csv');
    expect(ds.stdout).toContain('wrote 3 rows');
    // The entity file's event times come back as written. Entity 1 of Jan 2 12:00 must not see the Jan 3 value (4): the batch kept only the latest row of id 2.
    expect(readFileSync(join(dir, 'train.csv'), 'utf8').trim().split('\n')).toEqual([
      'pid,event_time,n',
      '2,2026-01-02T12:00:00Z,',
      '2,2026-01-04T00:00:00Z,4',
      '1,2025-12-31T00:00:00Z,',
    ]);
    expect((await sluice(dir, 'delete', 'patients', '2')).stdout).toContain('deleted patients/2');
    const missing = await sluice(dir, 'get', 'patients', '2');
    expect(missing.code).toBe(2);
    const bad = await sluice(dir, 'get', 'ghost', '1');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('error[FEATURE_GROUP_NOT_FOUND]');
    const evolve = await sluice(dir, 'create', 'patients', '--from', 'p.csv', '--id', 'pid', '--event-time', 'ts', '--type', 'n=fractional', '--evolve');
    expect(evolve.stderr).toContain('error[FEATURE_TYPE_CHANGE]');
  });
});

describe('sluice features in a project and compact', () => {
  it('uses the stores of sluice.yaml (stateDir), and compacts the offline files of a group', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-fscli-proj-'));
    writeFileSync(join(dir, 'sluice.yaml'), 'name: p\nstateDir: state\nstores:\n  offline: { type: local, path: state/history }\n');
    for (let i = 1; i <= 3; i++) writeFileSync(join(dir, `b${i}.csv`), `pid,ts,n\n${i},2026-01-01T00:00:0${i}Z,${i}\n`);
    expect((await sluice(dir, 'create', 'g', '--from', 'b1.csv', '--id', 'pid', '--event-time', 'ts')).code).toBe(0);
    for (let i = 1; i <= 3; i++) expect((await sluice(dir, 'ingest', 'g', `b${i}.csv`)).code).toBe(0);
    // The configured folders hold the history, not the default .sluice/offline.
    const { readdirSync, existsSync } = await import('node:fs');
    expect(existsSync(join(dir, 'state', 'history'))).toBe(true);
    expect(existsSync(join(dir, '.sluice'))).toBe(false);
    const c = await sluice(dir, 'compact', 'g');
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toMatch(/g: merged 3 files of 1 partitions into 1/);
    expect((await sluice(dir, 'compact', 'g')).stdout).toContain('g: nothing to merge');
    const q = await sluice(dir, 'query', 'SELECT count(*)::INTEGER AS n FROM g', '--json');
    expect(JSON.parse(q.stdout)).toEqual([{ n: 3 }]);
    expect(readdirSync(join(dir, 'state', 'history')).length).toBeGreaterThan(0);
    const bad = await sluice(dir, 'compact', 'g', '--min-files', '1');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--min-files "1" is not a whole number of at least 2');
  }, 180_000); // ten CLI processes: 15 s alone, over 60 s at load 28 on 2 cores
  it('a --tag or --type key named __proto__ is refused, not dropped; the group is not created', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-fscli-reserved-'));
    writeFileSync(join(dir, 'p.csv'), 'pid,ts,n\n1,2026-01-01T00:00:00Z,2\n');
    for (const [option, item] of [
      ['--tag', '__proto__=care'],
      ['--type', '__proto__=string'],
    ] as const) {
      const r = await sluice(dir, 'create', 'patients', '--from', 'p.csv', '--id', 'pid', '--event-time', 'ts', option, item);
      expect(r.code, r.stdout).not.toBe(0);
      expect(r.stderr).toContain(`error[JSON_RESERVED_KEY]: the option ${option} "${item}" has a key "__proto__"`);
      expect(r.stderr).toContain('hint: rename the key "__proto__" or leave it out');
    }
    expect((await sluice(dir, 'list')).stdout).not.toContain('patients');
  });
});
