import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectCleanError, sluice } from '../cli/run.js';
import { python } from './steps-helpers.js';

/**
 * music-join as a user meets it: imported, its one PySpark node (an average per user of the
 * 5-star ratings) rewritten as a python step, then validated, run, previewed and shown as SQL with
 * the real CLI. Its second join reads a branch of the flow's own data (the flow forks after the
 * first join and rejoins), and the rows are checked against pandas doing the Data Wrangler flow.
 */
const dir = mkdtempSync(join(tmpdir(), 'sluice-branch-cli-'));
const TRACKS = [
  'trackId,length,energy,acousticness,valence,speechiness,instrumentalness,liveness,tempo,genre',
  't1,200.5,0.8,0.1,0.5,0.05,0.0,0.2,120.0,Latin',
  't2,180.0,0.4,0.6,0.3,0.04,0.1,0.1,90.0,Folk',
  't3,240.0,0.9,0.05,0.7,0.1,0.0,0.3,128.0,Pop_Rock',
  't4,210.0,0.6,0.3,0.4,0.06,0.2,0.15,100.0,Latin',
].join('\n');
const RATINGS = [
  'ratingEventId,ts,userId,trackId,sessionId,itemInSession,Rating',
  'e1,1000,1,t1,10,1,5.0',
  'e2,1001,1,t2,10,2,3.0',
  'e3,1002,1,t3,10,3,5.0',
  'e4,1003,2,t1,11,1,4.0',
  'e5,1004,2,t4,11,2,2.0',
  'e6,1005,3,t3,12,1,5.0',
  'e7,1006,3,t4,12,2,5.0',
  'e8,1007,3,t2,12,3,1.0',
  'e9,1008,4,t2,13,1,5.0',
].join('\n');
writeFileSync(join(dir, 'tracks.csv'), `${TRACKS}\n`);
writeFileSync(join(dir, 'ratings.csv'), `${RATINGS}\n`);

const PANDAS_STEP = `  - kind: python
    name: calculate 5-star ratings
    code: |
      num = ['energy', 'acousticness', 'valence', 'speechiness', 'instrumentalness', 'liveness', 'tempo', 'danceability'] + [c for c in df.columns if c.startswith('genre_')]
      df = df[df['Rating'] == 5].groupby('userId', as_index=False)[num].mean().rename(columns={c: c + '_5star' for c in num})
`;

describe('music-join: a flow that forks and rejoins, with the real CLI', () => {
  const flow = join(dir, 'music.flow.yaml');

  it('imports with only the PySpark node left to replace; rewritten in pandas it validates, runs, previews and shows its SQL', async () => {
    const imported = await sluice(['flow', 'import', 'test/fixtures/wrangler/corpus/music-join.flow', '--output', flow]);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain('10 of 11 transforms mapped; 1 custom PySpark node needs replacing');
    expect(imported.stdout).toMatch(/a054a61f │ join_tables\s+│ join/);
    const yaml = readFileSync(flow, 'utf8');
    expect(yaml).toContain('branch: after_join_tables');
    // replace the placeholder (its comment lines stay; the step runs to the next "  - kind:")
    const rewritten = yaml.replace(/ {2}- kind: todo_custom_code\n(?: {4}.*\n| {6}.*\n)*/, PANDAS_STEP);
    expect(rewritten).not.toMatch(/- kind: todo_custom_code/);
    writeFileSync(flow, rewritten);

    const valid = await sluice(['flow', 'validate', flow]);
    expect(valid.stderr + valid.stdout).toContain('valid');
    expect(valid.code).toBe(0);

    const out = join(dir, 'out.csv');
    const run = await sluice(['flow', 'run', flow, '--input', join(dir, 'tracks.csv'), '--output', out, '--save-fitted', join(dir, 'fitted.json')], {
      env: { SLUICE_PYTHON: '/usr/bin/python3' },
    });
    expect(run.stderr).not.toContain('error[');
    expect(run.code).toBe(0);
    const want = (await python(`
import json, pandas as pd
t = pd.read_csv(${JSON.stringify(join(dir, 'tracks.csv'))}); r = pd.read_csv(${JSON.stringify(join(dir, 'ratings.csv'))})
t['danceability'] = 0.3 * t.valence + 0.1 * t.liveness + 0.1 * t.energy
m = t.merge(r, on='trackId')
five = m[m.Rating == 5].groupby('userId', as_index=False)[['energy', 'danceability']].mean().rename(columns={'energy': 'energy_5star', 'danceability': 'danceability_5star'})
out = five.merge(m, on='userId')
print(json.dumps(sorted([[round(a, 9), round(b, 9), round(c, 9)] for a, b, c in zip(out.Rating, out.energy, out.energy_5star)])))
`)) as number[][];
    const text = readFileSync(out, 'utf8').trim().split('\n');
    const header = text[0]!.split(',');
    expect(header[0]).toBe('Rating');
    expect(header).not.toContain('userId_0');
    expect(header).toContain('genre_Pop_Rock_5star');
    const at = (name: string) => header.indexOf(name);
    const got = text
      .slice(1)
      .map((l) => l.split(','))
      .map((v) => [Number(v[at('Rating')]), Number(v[at('energy')]), Number(Number(v[at('energy_5star')]).toPrecision(9))])
      .sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!);
    expect(want.length).toBe(7); // user 2 has no 5-star rating: the inner join drops their rows
    expect(got).toEqual(want.map((r) => [r[0], r[1], Number(r[2]!.toPrecision(9))]).sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!));

    // the fitted flow applied again gives the same rows
    const again = await sluice(
      ['flow', 'run', flow, '--fitted', join(dir, 'fitted.json'), '--input', join(dir, 'tracks.csv'), '--output', join(dir, 'again.csv')],
      {
        env: { SLUICE_PYTHON: '/usr/bin/python3' },
      },
    );
    expect(again.code).toBe(0);
    expect(readFileSync(join(dir, 'again.csv'), 'utf8')).toBe(readFileSync(out, 'utf8'));

    const preview = await sluice(['flow', 'preview', flow, '--input', join(dir, 'tracks.csv'), '--rows', '2'], { env: { SLUICE_PYTHON: '/usr/bin/python3' } });
    expect(preview.code).toBe(0);
    expect(preview.stdout).toMatch(/after step 6 \(join\): 7 rows/);
  });

  it('flow sql shows a branch as a CTE of the one SELECT', async () => {
    const f = join(dir, 'plain.flow.yaml');
    writeFileSync(
      f,
      'version: 1\nname: plain\ninputs:\n  fives:\n    branch: main\n    steps: [ { kind: filter_rows, expression: Rating = 5 } ]\nsteps:\n  - kind: concatenate\n    with: fives\n',
    );
    const r = await sluice(['flow', 'sql', f, '--input', join(dir, 'ratings.csv')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/b\d+ AS \(WITH b\d+_s0 AS \(SELECT .* FROM "s0"\)/);
  });

  it('flow validate lists every branch problem with its line', async () => {
    const f = join(dir, 'bad.flow.yaml');
    writeFileSync(
      f,
      'version: 1\nname: bad\ninputs:\n  x: { branch: nowhere }\nsteps:\n  - kind: concatenate\n    with: y\n  - kind: drop_columns\n    columns: [a]\n    as: y\n',
    );
    const r = await sluice(['flow', 'validate', f]);
    expectCleanError(r, 'FLOW_PROBLEMS');
    expect(r.stderr).toMatch(/input x is a branch from "nowhere", which no step names \(as: nowhere\) \(line 4\)/);
    expect(r.stderr).toMatch(/step 1 \(concatenate\) reads branch "y" which is taken after step 2, a later step: it does not exist yet \(line 7\)/);
  });
});
