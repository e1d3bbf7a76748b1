/**
 * Writes the data the time-budget benchmark trains on: N rows x 8 columns (5 numbers, 2
 * categories, a binary target that depends on them with noise), seeded, as CSV.
 *
 *   node --import tsx bench/train/makeBudgetData.ts ROWS OUT.csv
 */
import { createWriteStream } from 'node:fs';
import { Rng } from '../../src/ml/random.js';

export async function makeBudgetData(rows: number, out: string, seed = 1): Promise<void> {
  const rng = new Rng(seed);
  const ws = createWriteStream(out);
  const write = (s: string): Promise<void> => (ws.write(s) ? Promise.resolve() : new Promise((r) => ws.once('drain', () => r())));
  await write('x1,x2,x3,x4,x5,region,plan,churned\n');
  const regions = ['north', 'south', 'east', 'west', 'centre'];
  const plans = ['basic', 'plus', 'pro'];
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    const x = [rng.float() * 10, rng.float() * 5 - 2.5, rng.float(), rng.float() * 100, rng.float() * 3];
    const r = rng.int(regions.length);
    const p = rng.int(plans.length);
    const z = 0.6 * x[0]! - 3 + 1.2 * x[1]! * x[2]! + (r === 2 ? 1 : 0) - 0.8 * p + (rng.float() - 0.5) * 4;
    chunk += `${x.map((v) => v.toFixed(3)).join(',')},${regions[r]},${plans[p]},${z > 0 ? 'yes' : 'no'}\n`;
    if (chunk.length > 1 << 20) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(chunk);
  await new Promise<void>((res, rej) => ws.end((e?: Error | null) => (e ? rej(e) : res())));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [rows, out] = process.argv.slice(2);
  await makeBudgetData(Number(rows), out!);
}
