import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSluiceError } from '../../src/core/errors.js';
import { scanCsv } from '../../src/engine/csvScan.js';
import { DIABETES, rng, tempDir } from '../support/data.js';

/** What a scan gives: its result and the lines it reported, or its error's code, message and location. */
async function outcome(path: string, testing: { chunk?: number; byteByByte?: boolean }): Promise<unknown> {
  const lines: number[] = [];
  try {
    const scan = await scanCsv(path, { testing, onRecord: (line) => lines.push(line) });
    return { scan, lines };
  } catch (e) {
    if (!isSluiceError(e)) throw e;
    return { code: e.code, message: e.message, location: e.location, lines };
  }
}

// Pieces a CSV is made of, ordinary and troublesome: quotes opening and inside fields, doubled
// quotes, CR, CRLF, tabs, two- and three-byte UTF-8, a stray continuation byte, a NUL.
const PIECES: Buffer[] = [
  ...['a', 'b7', '1.5', ',', ',', ',', '"', '""', '"x,y"', '\n', '\n', '\r\n', '\r', '\t', ' ', 'é', '€', '\0', 'z"q'].map((p) => Buffer.from(p, 'utf8')),
  Buffer.from([0x80]),
  Buffer.from([0xe2, 0x82]),
];
const CELLS = ['12', 'abc', '"q,uoted"', '', 'é'].map((c) => Buffer.from(c, 'utf8'));
const COMMA = Buffer.from(',');
const LINE = Buffer.from('\n');

describe('scanCsv: the fast path for runs of ordinary bytes', () => {
  it('gives the byte-by-byte result on 400 random files, cut into chunks at random sizes', async () => {
    const dir = tempDir('sluice-csvscan-');
    const r = rng(17);
    let errors = 0;
    for (let k = 0; k < 400; k++) {
      const cols = 1 + Math.floor(r() * 4);
      const parts: Buffer[] = [Buffer.from(`${Array.from({ length: cols }, (_, c) => `c${c}`).join(',')}\n`)];
      const rows = 1 + Math.floor(r() * 8);
      for (let row = 0; row < rows; row++) {
        // Mostly well-formed rows (so whole files pass), with a troublesome piece now and then.
        for (let c = 0; c < cols; c++) {
          if (c > 0) parts.push(COMMA);
          parts.push(r() < 0.8 ? CELLS[Math.floor(r() * CELLS.length)]! : PIECES[Math.floor(r() * PIECES.length)]!);
        }
        parts.push(LINE);
      }
      const bytes = Buffer.concat(parts);
      const path = join(dir, `f${k}.csv`);
      writeFileSync(path, bytes);
      const chunk = [3, 5, 16, 1 << 20][Math.floor(r() * 4)]!;
      const fast = await outcome(path, { chunk });
      const slow = await outcome(path, { chunk, byteByByte: true });
      expect(fast, `file ${k}: ${JSON.stringify(bytes.toString('latin1'))}`).toEqual(slow);
      if ('code' in (slow as object)) errors++;
    }
    // Both kinds were exercised: files that scan and files that fail.
    expect(errors).toBeGreaterThan(40);
    expect(errors).toBeLessThan(360);
  });

  it('counts the rows and reads the header of the diabetes file as the byte-by-byte path does', async () => {
    const fast = await outcome(DIABETES, {});
    expect(fast).toEqual(await outcome(DIABETES, { byteByByte: true }));
    expect((fast as { scan: { rows: number } }).scan.rows).toBe(69570);
  });
});
