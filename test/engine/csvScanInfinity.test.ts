import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INFINITY_TOKENS } from '../../src/core/missing.js';
import { Engine } from '../../src/engine/Engine.js';
import { scanCsv } from '../../src/engine/csvScan.js';
import { readTable } from '../../src/engine/readTable.js';
import { tempDir } from '../support/data.js';

// The reader looks for infinity spellings in the text columns (a pass over the table) only when
// the file holds `nf` or `NF` somewhere: every spelling of ±Infinity does.
const dir = tempDir('sluice-csvinf-');
let engine: Engine;
beforeAll(async () => {
  engine = await Engine.open();
});
afterAll(() => engine.close());

describe('scanCsv: whether a file may spell an infinity', () => {
  it('says so for every spelling, wherever the file is cut into chunks, and not for a file without one', async () => {
    const without = join(dir, 'without.csv');
    writeFileSync(without, 'id,word\n1,none\n2,fine\n3,NaN\n4,\n');
    for (const chunk of [1, 2, 3, 7, 1 << 20]) expect((await scanCsv(without, { testing: { chunk } })).mayHoldInfinity).toBe(false);
    // Every spelling the reader treats as infinite (a new one without `nf`/`NF` fails here).
    for (const spelling of [...INFINITY_TOKENS, '"inf"']) {
      const path = join(dir, 'with.csv');
      writeFileSync(path, `id,word\n1,none\n2,${spelling}\n`);
      // Every chunk size from one byte: `n` and `f` fall in two chunks for some of them.
      for (let chunk = 1; chunk <= 24; chunk++) expect((await scanCsv(path, { testing: { chunk } })).mayHoldInfinity).toBe(true);
    }
  });

  it('a text column of numbers written with -Infinity is still read as numbers, infinity missing', async () => {
    const path = join(dir, 'numbers.csv');
    // The infinity after the sniffer's sample of 20,480 rows: the column is typed text first.
    const rows = Array.from({ length: 30_000 }, (_, i) => `${i},${i === 25_000 ? '-Infinity' : i % 10}`);
    writeFileSync(path, `id,v\n${rows.join('\n')}\n`);
    const info = await readTable(engine, path, { name: 'numbers' });
    expect(info.columns.find((c) => c.name === 'v')?.type).toBe('float');
    const [r] = await engine.query<{ missing: number }>('SELECT count(*) - count(v) AS missing FROM numbers');
    expect(Number(r?.missing)).toBe(1);
  });
});
