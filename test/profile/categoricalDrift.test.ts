import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { evaluateGates, parseGateRule } from '../../src/profile/gates.js';
import { profileTable } from '../../src/profile/profileTable.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.open();
  await engine.exec(
    `CREATE TABLE base AS SELECT (i % 10)::DOUBLE AS x, CASE WHEN i % 3 = 0 THEN 'a' WHEN i % 3 = 1 THEN 'b' ELSE 'c' END AS cat FROM range(3000) t(i)`,
  );
  // Same numbers, but the categorical column moved almost entirely to one value.
  await engine.exec(`CREATE TABLE cur AS SELECT (i % 10)::DOUBLE AS x, CASE WHEN i % 50 = 0 THEN 'b' ELSE 'a' END AS cat FROM range(3000) t(i)`);
});
afterAll(() => engine.close());

describe('drift of a categorical column', () => {
  it('has a PSI over its categories, marks the column drifted, and fails a drift.psi gate', async () => {
    const report = await profileTable(engine, 'cur', { baseline: 'base', plugins: {} });
    const cat = report.drift!.columns.find((c) => c.name === 'cat')!;
    const x = report.drift!.columns.find((c) => c.name === 'x')!;
    // shares a/b/c: baseline 1/3 each; current 0.98/0.02/0 -> PSI well above 0.2
    expect(cat.psi).toBeGreaterThan(1);
    expect(cat.drifted).toBe(true);
    expect(x.psi).toBeLessThan(0.01);
    const gates = evaluateGates(report, [parseGateRule('drift.psi < 0.2')]);
    expect(gates.verdict).toBe('fail');
  });
});
