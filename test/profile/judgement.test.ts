import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { readTable } from '../../src/engine/readTable.js';
import { parseGateRule } from '../../src/profile/gates.js';
import { reportHeadline } from '../../src/profile/headline.js';
import { renderReportHtml } from '../../src/profile/html/renderReportHtml.js';
import { profileTable, type ProfileOptions } from '../../src/profile/profileTable.js';
import { reportSchema, type Report } from '../../src/profile/reportSchema.js';
import { rng, tempDir, writeCsv } from './helpers.js';

/**
 * Planted problems a reviewer must not miss (issue 14): one strongly drifted column among
 * twelve, a jump in missing share, an id with duplicate rows, an entirely missing column, the
 * flow's own columns.
 */
let engine: Engine;
const dir = tempDir('sluice-judgement-');
let n = 0;
beforeAll(async () => {
  engine = await Engine.open();
});
afterAll(() => engine.close());

async function load(header: string[], rows: unknown[][]): Promise<string> {
  n += 1;
  await readTable(engine, writeCsv(dir, `j${n}.csv`, header, rows), { name: `j${n}` });
  return `j${n}`;
}

async function profile(relation: string, options: ProfileOptions = {}): Promise<Report> {
  const report = await profileTable(engine, relation, { plugins: {}, ...options });
  reportSchema.parse(report);
  return report;
}

/** Twelve columns: eight numbers, three categories, a target. `shiftAge` moves age; `missingMeds` blanks a share of num_medications. */
function twelve(
  count: number,
  seed: number,
  opts: { shiftAge?: number; missingMeds?: number; recordId?: boolean } = {},
): { header: string[]; rows: unknown[][] } {
  const r = rng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(r() || 1e-9)) * Math.cos(2 * Math.PI * r());
  const header = [
    'age',
    'num_medications',
    'n3',
    'n4',
    'n5',
    'n6',
    'n7',
    'n8',
    'c1',
    'c2',
    'c3',
    'label',
    ...(opts.recordId ? ['record_id', 'event_time'] : []),
  ];
  const rows: unknown[][] = [];
  for (let i = 0; i < count; i++) {
    const age = Math.round(50 + 12 * normal() + (opts.shiftAge ?? 0));
    const meds = r() < (opts.missingMeds ?? 0) ? '' : Math.round(15 + 5 * normal());
    const nums = Array.from({ length: 6 }, (_, k) => Math.round((k * 10 + 5 * normal()) * 100) / 100);
    const cats = [['a', 'b', 'c'][Math.floor(r() * 3)], ['x', 'y'][Math.floor(r() * 2)], ['p', 'q', 'r', 's'][Math.floor(r() * 4)]];
    const label = r() < 0.5 ? 'yes' : 'no';
    rows.push([age, meds, ...nums, ...cats, label, ...(opts.recordId ? [`${seed}-${i}`, `2026-12-0${seed}T10:00:00`] : [])]);
  }
  return { header, rows };
}

describe('drift that cannot hide', () => {
  it('one column of twelve shifted strongly: verdict drift, a high warning naming it, the summary names it', async () => {
    const base = twelve(3000, 1);
    const cur = twelve(3000, 2, { shiftAge: 20 });
    const b = await load(base.header, base.rows);
    const c = await load(cur.header, cur.rows);
    const report = await profile(c, { baseline: b, target: 'label', championImportance: { age: 0.31 } });
    const d = report.drift!;
    expect(d.driftedShare).toBeLessThan(0.5);
    expect(d.verdict).toBe('drift');
    expect(d.strongColumns).toEqual(['age']);
    expect(d.summary).toMatch(/age \(PSI [\d.]+ >= 0\.25\)/);
    const age = d.columns.find((x) => x.name === 'age')!;
    expect(age.championImportance).toBe(0.31);
    expect(age.picture?.kind).toBe('histogram');
    expect(age.picture!.baseline.reduce((a, x) => a + x, 0)).toBeCloseTo(1, 9);
    const high = report.warnings.filter((w) => w.severity === 'high' && w.code === 'drift');
    expect(high.map((w) => w.columns)).toEqual([['age']]);
    expect(high[0]!.message).toMatch(/"age" drifted from the baseline \(PSI [\d.]+ >= 0\.25; importance in the champion 0\.310\)/);
    // Say it straight: a passing gate and the high warning on one line.
    const gated = await profile(c, { baseline: b, gates: [parseGateRule('rows > 10')] });
    expect(reportHeadline(gated)).toBe('gates pass · 1 high warning: drift in age');
  });

  it('a column named after an Object.prototype member has no champion importance unless the map holds it', async () => {
    // importance["constructor"] was Object's constructor function: a report the schema refuses.
    const rows = (seed: number, shift: number) => {
      const r = rng(seed);
      return Array.from({ length: 500 }, () => [Math.round(50 + 10 * r() + shift), Math.round(10 * r()), r() < 0.5 ? 'yes' : 'no']);
    };
    const header = ['constructor', 'toString', 'label'];
    const report = await profile(await load(header, rows(5, 30)), {
      baseline: await load(header, rows(6, 0)),
      target: 'label',
      championImportance: { toString: 0.2 },
    });
    const byName = new Map(report.drift!.columns.map((c) => [c.name, c]));
    expect(byName.get('constructor')!.drifted).toBe(true);
    expect(byName.get('constructor')!.championImportance).toBeNull();
    expect(byName.get('toString')!.championImportance).toBe(0.2);
  });

  it('a missing-share jump of 25 points is drift on its own', async () => {
    const base = twelve(2000, 3);
    const cur = twelve(2000, 4, { missingMeds: 0.25 });
    const report = await profile(await load(cur.header, cur.rows), { baseline: await load(base.header, base.rows) });
    const meds = report.drift!.columns.find((x) => x.name === 'num_medications')!;
    expect(meds.strong).toBe(true);
    expect(meds.reasons!.join()).toMatch(/missing 0\.0% -> 2\d\.\d%/);
    expect(report.drift!.verdict).toBe('drift');
    expect(report.warnings.some((w) => w.severity === 'high' && w.code === 'drift' && w.columns[0] === 'num_medications')).toBe(true);
  });

  it('a batch like its baseline does not drift', async () => {
    const base = twelve(3000, 5);
    const cur = twelve(3000, 6);
    const report = await profile(await load(cur.header, cur.rows), { baseline: await load(base.header, base.rows) });
    expect(report.drift!.verdict).toBe('no_drift');
    expect(report.warnings.filter((w) => w.code === 'drift')).toEqual([]);
  });

  it("the flow's record id and event time are never in drift nor in warnings", async () => {
    const base = twelve(1000, 7, { recordId: true });
    const cur = twelve(1000, 8, { recordId: true });
    const report = await profile(await load(cur.header, cur.rows), {
      baseline: await load(base.header, base.rows),
      generatedColumns: ['record_id', 'event_time'],
    });
    expect(report.drift!.columns.map((x) => x.name)).not.toContain('event_time');
    expect(report.drift!.columns.map((x) => x.name)).not.toContain('record_id');
    expect(report.drift!.excludedColumns).toEqual(['record_id', 'event_time']);
    expect(report.drift!.verdict).toBe('no_drift');
    expect(report.warnings.filter((w) => w.columns.includes('record_id') || w.columns.includes('event_time'))).toEqual([]);
    // Without being told, the same columns drift and warn: the test can fail.
    const naive = await profile(`j${n}`, { baseline: `j${n - 1}` });
    expect(naive.drift!.driftedColumns).toContain('event_time');
  });

  it('new categories taking more than 5% of the rows are drift', async () => {
    const base = twelve(2000, 9);
    const cur = twelve(2000, 10);
    cur.rows.forEach((row, i) => {
      if (i % 10 === 0) row[8] = 'brand-new';
    });
    const report = await profile(await load(cur.header, cur.rows), { baseline: await load(base.header, base.rows) });
    const c1 = report.drift!.columns.find((x) => x.name === 'c1')!;
    expect(c1.newCategoryShare).toBeCloseTo(0.1, 2);
    expect(c1.strong).toBe(true);
    expect(c1.picture?.labels).toContain('brand-new');
    expect(report.drift!.verdict).toBe('drift');
  });
});

describe('the champion measured on the batch', () => {
  it('a drop beyond the threshold is a high warning, and the champion.metric_drop gate fails on it', async () => {
    const base = twelve(300, 21);
    const rel = await load(base.header, base.rows);
    const gates = [parseGateRule('champion.metric_drop < 0.02')];
    const check = { model: 'm', version: 3, metric: 'f1', higherIsBetter: true, registered: 0.71, rows: 300 };
    const worse = await profile(rel, { champion: { ...check, current: 0.61, drop: 0.1 }, gates });
    expect(worse.champion?.current).toBe(0.61);
    expect(worse.gates!.verdict).toBe('fail');
    const w = worse.warnings.filter((x) => x.code === 'champion_degraded');
    expect(w).toHaveLength(1);
    expect(w[0]!.severity).toBe('high');
    expect(w[0]!.message).toContain('f1 0.6100 on this batch, 0.1000 worse than when registered (0.7100)');
    // report.html shows the figure beside the registered one, the drop marked high.
    const page = renderReportHtml(worse);
    expect(page).toMatch(
      /<h3>Champion on this batch<\/h3>.*<th>f1 on this batch<\/th><td class="n">0\.61\d* \(300 rows\)<\/td>.*<th>f1 when registered<\/th><td class="n">0\.71\d*<\/td>.*<span class="badge high">0\.1\d*<\/span>/s,
    );
    const same = await profile(rel, { champion: { ...check, current: 0.705, drop: 0.005 }, gates });
    expect(same.gates!.verdict).toBe('pass');
    expect(renderReportHtml(same)).toMatch(/<span class="badge pass">0\.005\d*<\/span>/);
    expect(same.warnings.filter((x) => x.code === 'champion_degraded')).toEqual([]);
    // Without a champion the gate has nothing to read and fails, saying so.
    const none = await profile(rel, { gates });
    expect(none.gates!.rules[0]!.detail).toMatch(/not in the report/);
  });
});

describe('ids, constants and empties', () => {
  it('an id column with 3% duplicate rows is an id (fix: drop), not high cardinality', async () => {
    const r = rng(11);
    const rows: unknown[][] = Array.from({ length: 1000 }, (_, i) => [`C-${String(100000 + i)}`, Math.round(r() * 100), ['a', 'b'][i % 2]]);
    for (let i = 0; i < 30; i++) rows.push([...rows[i * 7]!]);
    const report = await profile(await load(['customer', 'score', 'kind'], rows));
    const id = report.warnings.filter((w) => w.code === 'id_column');
    expect(id.map((w) => w.columns)).toEqual([['customer']]);
    expect(id[0]!.fix.step).toBe('drop_columns');
    expect(report.warnings.filter((w) => w.code === 'high_cardinality')).toEqual([]);
  });

  it('an integer id repeated only by duplicate rows is an id', async () => {
    const rows: unknown[][] = Array.from({ length: 500 }, (_, i) => [i * 3 + 7, i % 5]);
    for (let i = 0; i < 20; i++) rows.push([...rows[i]!]);
    const report = await profile(await load(['order_no', 'grade'], rows));
    expect(report.warnings.filter((w) => w.code === 'id_column').map((w) => w.columns[0])).toEqual(['order_no']);
  });

  it('fractional amounts are never ids, however unique', async () => {
    const r = rng(12);
    const rows: unknown[][] = Array.from({ length: 800 }, () => [Math.round(r() * 1e6) / 100 + 0.01, ['a', 'b'][Math.floor(r() * 2)]]);
    const report = await profile(await load(['dvd_sales', 'kind'], rows));
    expect(report.warnings.filter((w) => w.code === 'id_column')).toEqual([]);
  });

  it('an entirely missing column (tokens included) is one high warning with fix drop', async () => {
    const r = rng(13);
    const rows: unknown[][] = Array.from({ length: 300 }, (_, i) => [Math.round(r() * 100), i % 3 === 0 ? '?' : '', 'n/a', ['a', 'b'][i % 2]]);
    const report = await profile(await load(['x', 'blank', 'tokens', 'kind'], rows));
    for (const col of ['blank', 'tokens']) {
      const about = report.warnings.filter((w) => w.columns.includes(col));
      expect(
        about.map((w) => [w.code, w.severity, w.fix.step]),
        col,
      ).toEqual([['empty_column', 'high', 'drop_columns']]);
    }
  });
});
