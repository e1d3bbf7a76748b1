import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outputSummary } from '../../src/demo/progressLines.js';
import { consoleProject, get, runToWait, writeBatch, type ConsoleProject } from '../server/console/consoleProject.js';

/**
 * Every drop said (issue 12, point 4): a step of the project's flow that removes rows says how
 * many and why in the pipeline's run_flow result, in the console's execution page and in the
 * progress lines `sluice run` / `sluice demo` print. The project's `missingTokens` reach the
 * pipeline's reader: `?` is missing, so drop_missing removes those rows too.
 */

const PIPELINE = `pipeline:
  name: drops
  start: run_flow
  states:
    run_flow: { type: task, activity: run_flow, next: ask }
    ask: { type: approval, timeout: 1h, next: done }
    done: { type: succeed, outcome: approved }`;

let p: ConsoleProject;
let id: string;
let removed: number;

beforeAll(async () => {
  p = await consoleProject({ pipeline: PIPELINE, editConfig: (yaml) => `${yaml}\nmissingTokens: ['?']\n` });
  writeFileSync(
    join(p.dir, 'flows', 'main.flow.yaml'),
    'version: 1\nname: main\ntarget: readmitted\nsteps:\n  - kind: drop_missing\n    name: need gender\n    columns: [gender]\n',
  );
  const file = writeBatch(p.dir, 'batch.csv', 400, 3);
  // gender: "?" in every 9th row, empty in every 20th (both missing; 44 + 20 - 2 overlaps)
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  removed = 0;
  const dirty = lines.map((l, i) => {
    if (i === 0) return l;
    const cells = l.split(',');
    const gone = i % 9 === 0 ? '?' : i % 20 === 0 ? '' : undefined;
    if (gone === undefined) return l;
    removed++;
    cells[2] = gone;
    return cells.join(',');
  });
  writeFileSync(file, dirty.join('\n') + '\n');
  id = await runToWait(p, file);
}, 60_000);

afterAll(async () => {
  await p?.close();
});

describe('rows a step removes are said (issue 12, point 4)', () => {
  it("in the pipeline's run_flow result", async () => {
    const ev = (await p.runtime.store.events(id)).find((e) => e.type === 'ActivitySucceeded' && e.step === 'run_flow')!;
    const out = ev.data.output as Record<string, unknown>;
    expect(removed).toBe(62);
    expect(out).toMatchObject({
      rowsIn: 400,
      rows: 400 - removed,
      dropped: [{ step: 0, kind: 'drop_missing', name: 'need gender', rows: removed, reason: 'a missing value in gender' }],
    });
    expect(outputSummary('run_flow', out)).toContain(`  step 1 (need gender): ${removed} rows removed, a missing value in gender`);
  });

  it("on the console's execution page", async () => {
    const res = await get(p, `/executions/${id}`, 'ana');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`The recipe kept <b>${400 - removed}</b> of 400 rows`);
    expect(res.body).toMatch(new RegExp(`<td>1 \\(need gender\\)</td><td class="num">${removed}</td><td>a missing value in gender</td>`));
  });
});
