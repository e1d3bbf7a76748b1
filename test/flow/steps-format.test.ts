import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { mapNode } from '../../src/flow/import/mapNode.js';
import { fitSteps, pythonBatch } from './steps-helpers.js';

/** Data Wrangler's format string variants: the expression functions against pandas `.str`. */
let engine: Engine;
let dir: string;
let file: string;
beforeAll(async () => {
  engine = await Engine.open();
  dir = mkdtempSync(join(tmpdir(), 'sluice-format-'));
  await engine.exec(
    `CREATE TABLE words AS SELECT * FROM (VALUES ('hello World'), ('ab'), ('Ünïcode-x!'), ('a.b, c'), ('longer text here'), (NULL), ('x')) AS t(w)`,
  );
  file = join(dir, 'words.csv');
  await engine.exec(`COPY words TO '${file}' (HEADER)`);
});
afterAll(() => {
  engine.close();
  rmSync(dir, { recursive: true, force: true });
});

const VARIANTS: Array<[string, Record<string, unknown>, string]> = [
  ['Capitalize', {}, 's.str.capitalize()'],
  ['Swap case', {}, 's.str.swapcase()'],
  ['Left pad', { width: 6, fill_character: '*' }, "s.str.rjust(6, '*')"],
  ['Right pad', { width: 6, fill_character: '-' }, "s.str.ljust(6, '-')"],
  ['Center (pad on either side)', { width: 7, fill_character: '.' }, "s.str.center(7, '.')"],
  ['Prepend zeros', { width: 5 }, "s.str.rjust(5, '0')"],
  ['Add prefix or suffix', { prefix: '<', suffix: '>' }, "'<' + s + '>'"],
  ['Remove symbols', {}, "s.str.replace(r'[^\\w\\s]|_', '', regex=True)"],
];

describe('format string variants', () => {
  // pandas' result of each variant, all computed in one python3 process
  const py = pythonBatch();
  const pandasOf = VARIANTS.map(([, , pandas]) =>
    py.add(
      () => `import json, pandas as pd
s = pd.read_csv(${JSON.stringify(file)}, skip_blank_lines=False)['w']
print(json.dumps([None if pd.isna(v) else v for v in (${pandas})]))`,
    ),
  );
  it('import as compute steps whose SQL and record paths both match pandas', async () => {
    for (const [i, [action, params]] of VARIANTS.entries()) {
      const key = `${action
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '_')
        .replace(/^_|_$/g, '')}_parameters`;
      const node = {
        node_id: 'n1',
        type: 'TRANSFORM',
        operator: 'sagemaker.spark.format_string_0.1',
        parameters: { operator: action, [key]: { input_column: ['w'], ...params } },
        inputs: [],
        index: 0,
      };
      const { steps, notes } = mapNode(node);
      expect(
        steps.map((s) => s.step.kind),
        action,
      ).toEqual(['compute']);
      expect(
        notes.filter((n) => n.level === 'warning'),
        action,
      ).toEqual([]);
      const want = await pandasOf[i]!();
      const r = await fitSteps(engine, 'words', [steps[0]!.step as Record<string, unknown>]);
      expect(
        r.rows.map((x) => x.w),
        action,
      ).toEqual(want);
      const recs = r.applyRecords(await engine.query('SELECT * FROM words'));
      expect(
        recs.map((x) => (x.ok ? x.row.w : x.error.message)),
        `${action} (records)`,
      ).toEqual(want);
    }
  });
});
