import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { afterAll, expect } from 'vitest';

/**
 * Setup file of vitest.cpu.config.ts: appends one JSON line per test file to CPU_PER_FILE
 * (default test-artifacts/cpu-per-file.jsonl): the user + system CPU seconds of the test process
 * while the file ran (`self`, its threads included), of the child processes it waited for
 * (`children`: CLI runs, python3, workers), and the wall seconds. From /proc/self/stat, in
 * clock ticks of 1/100 s; servers that detach (PostgreSQL, Redis) are not counted.
 */
const OUT = process.env.CPU_PER_FILE ?? 'test-artifacts/cpu-per-file.jsonl';

function cpu(): { self: number; children: number } {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  return { self: (f[11]! + f[12]!) / 100, children: (f[13]! + f[14]!) / 100 };
}

const start = cpu();
const started = Date.now();
afterAll(() => {
  const end = cpu();
  const line = {
    file: relative(process.cwd(), expect.getState().testPath ?? ''),
    self: Number((end.self - start.self).toFixed(2)),
    children: Number((end.children - start.children).toFixed(2)),
    wall: (Date.now() - started) / 1000,
  };
  mkdirSync(dirname(OUT), { recursive: true });
  appendFileSync(OUT, `${JSON.stringify(line)}\n`);
});
