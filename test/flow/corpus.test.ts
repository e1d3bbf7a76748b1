import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { readTable } from '../../src/engine/readTable.js';
import { fitFlow } from '../../src/flow/fitFlow.js';
import { importTable } from '../../src/flow/import/importTable.js';
import { importWranglerFlowText } from '../../src/flow/import/importWranglerFlow.js';
import { isObj, str } from '../../src/flow/import/params.js';
import { readInputs } from '../../src/flow/loadInputs.js';
import { parseFlow } from '../../src/flow/loadFlow.js';
import { corpusFiles, wranglerCensus } from '../../scripts/wranglerCensus.js';

/**
 * The corpus of real Data Wrangler flows (test/fixtures/wrangler/README.md says where each comes
 * from). Every file is imported; the coverage line is pinned, so a mapping that gets better or
 * worse shows here; the placeholders left are custom code only; and every flow without a
 * placeholder validates and runs on rows shaped like its sources.
 */
// music-join's second join reads a branch of the flow's own data (it forks after the first join
// and rejoins): an input `branch: after_join_tables`, so only its PySpark node is a placeholder.
const EXPECTED: Record<string, { coverage: string; placeholders: string[]; runError?: RegExp; outputHas?: RegExp }> = {
  // Custom pandas code runs in python steps (Debian's python3 with pandas, in a subprocess).
  'cardio.flow': { coverage: '5 of 5 transforms mapped', placeholders: [] },
  'contact-center.flow': { coverage: '5 of 5 transforms mapped', placeholders: [] },
  'customer-churn.flow': { coverage: '9 of 9 transforms mapped', placeholders: [] },
  // Its one-hot columns are cast and dropped by name (customer_gender_male, policy_state_ca): the
  // generated rows carry those categories (CATEGORIES).
  'featurestore-customers.flow': { coverage: '20 of 20 transforms mapped', placeholders: [], outputHas: /^customer_gender_male$/ },
  'fraud-claims-customers.flow': { coverage: '24 of 24 transforms mapped', placeholders: [] },
  // Runs its join, its pandas steps, the impute, scale and find-and-replace steps that wrote to new
  // columns (a duplicate_column first), then stops where Data Wrangler's one-hot kept its input
  // column (writing a vector column gender_1hot) and one_hot drops it: a later step reads race.
  'hospital-readmission.flow': { coverage: '31 of 31 transforms mapped', placeholders: [], outputHas: /^race_/ },
  // Data Wrangler one-hot encodes min-max-scaled (float) columns such as is_repeated_guest: so does one_hot.
  'hotel-booking.flow': { coverage: '24 of 24 transforms mapped', placeholders: [], outputHas: /^is_repeated_guest_\d\.\d+$/ },
  'music-join.flow': {
    coverage: '10 of 11 transforms mapped; 1 custom PySpark node needs replacing',
    placeholders: ['pyspark'],
  },
  'nyc-taxi-timeseries.flow': { coverage: '8 of 12 transforms mapped; 4 custom PySpark nodes need replacing', placeholders: ['pyspark'] },
  'nyc-taxi-ts-workshop.flow': { coverage: '11 of 15 transforms mapped; 4 custom PySpark nodes need replacing', placeholders: ['pyspark'] },
  'quantile-selector.flow': { coverage: '3 of 7 transforms mapped; 4 custom PySpark nodes need replacing', placeholders: ['pyspark'] },
  // Its two Python user-defined functions (Pandas mode) become python steps; one PySpark node is left.
  'redact-pii.flow': { coverage: '4 of 5 transforms mapped; 1 custom PySpark node needs replacing', placeholders: ['pyspark'] },
};

const FILES = corpusFiles();

function importFile(file: string) {
  return importWranglerFlowText(readFileSync(file, 'utf8'), { file });
}

/** The schema Data Wrangler inferred for each source, by the source's dataset name. */
function sourceSchemas(file: string): Map<string, Record<string, string>> {
  const nodes = (JSON.parse(readFileSync(file, 'utf8')) as { nodes: Array<Record<string, unknown>> }).nodes;
  const out = new Map<string, Record<string, string>>();
  for (const source of nodes.filter((n) => n.type === 'SOURCE')) {
    const name = str((isObj(source.parameters) ? source.parameters.dataset_definition : undefined) as never, 'name');
    const infer = nodes.find(
      (n) => String(n.operator).startsWith('sagemaker.spark.infer_and_cast_type') && (n.inputs as Array<{ node_id: string }>)[0]?.node_id === source.node_id,
    );
    const schema =
      isObj(infer?.trained_parameters) && isObj(infer.trained_parameters.schema) ? (infer.trained_parameters.schema as Record<string, string>) : undefined;
    if (name && schema) out.set(name, schema);
  }
  return out;
}

/**
 * Text columns whose values a flow's later steps name (its one-hot columns are cast and dropped
 * by name): the categories of the real data, spelling included.
 */
const CATEGORIES: Record<string, string[]> = {
  customer_gender: ['male', 'female', 'unkown', 'other'],
  policy_state: ['CA', 'WA', 'AZ', 'OR', 'NV', 'ID'],
};

/** Rows shaped like a source: every column of the inferred schema, values varied, a few missing. */
function sampleCsv(schema: Record<string, string>, rows = 48): string {
  const cols = Object.entries(schema);
  const value = (type: string, i: number, j: number): string => {
    if (i % 11 === j % 11 && j > 0) return '';
    switch (type) {
      case 'long':
        return String(i);
      case 'float':
        return String(i * 1.5 + j);
      case 'bool':
        return i % 2 ? 'true' : 'false';
      case 'date':
        return `2024-01-${String((i % 28) + 1).padStart(2, '0')}`;
      case 'datetime':
        return `2024-01-${String((i % 28) + 1).padStart(2, '0')} ${String(i % 24).padStart(2, '0')}:00:00`;
      default:
        return ['Alpha', 'beta', 'Gamma d', 'n/a'][(i + j) % 4]!;
    }
  };
  const lines = [cols.map(([c]) => c).join(',')];
  for (let i = 0; i < rows; i++) lines.push(cols.map(([c, t], j) => (CATEGORIES[c] ? CATEGORIES[c][i % CATEGORIES[c].length]! : value(t, i, j))).join(','));
  return lines.join('\n') + '\n';
}

let engine: Engine;
let dir: string;
beforeAll(async () => {
  engine = await Engine.open();
  dir = mkdtempSync(join(tmpdir(), 'sluice-corpus-'));
});
afterAll(() => {
  engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the corpus of real Data Wrangler flows', () => {
  it('has at least 10 files, each listed with its source in the fixtures README', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(10);
    const readme = readFileSync('test/fixtures/wrangler/README.md', 'utf8');
    for (const file of FILES) expect(readme, basename(file)).toContain(`corpus/${basename(file)}`);
    expect(Object.keys(EXPECTED).sort()).toEqual(FILES.map((f) => basename(f)));
  });

  for (const file of FILES) {
    const name = basename(file);
    it(`${name}: imports, with the pinned coverage and custom code as the only placeholders`, async () => {
      const r = importFile(file);
      const t = importTable(r.nodes);
      expect(t.coverage).toBe(EXPECTED[name]!.coverage);
      const languages = [...new Set(r.nodes.filter((s) => s.step.kind === 'todo_custom_code').map((s) => String(s.step.language)))].sort();
      expect(languages).toEqual(EXPECTED[name]!.placeholders);
      if (languages.length > 0) return;
      // No placeholder: the flow validates, and runs on rows shaped like its sources.
      const spec = parseFlow(r.yaml, `${name}.yaml`);
      const schemas = sourceSchemas(file);
      const sub = mkdtempSync(join(dir, name));
      for (const [source, schema] of schemas) writeFileSync(join(sub, source), sampleCsv(schema));
      const main = [...schemas.keys()].find((s) => !Object.values(spec.inputs ?? {}).some((i) => i.file === s))!;
      await readTable(engine, join(sub, main), { name: 'main_in' });
      const inputs = await readInputs(engine, spec.inputs, { baseDir: sub });
      const run = fitFlow(engine, spec, 'main_in', { inputs });
      const runError = EXPECTED[name]!.runError;
      if (runError) return void (await expect(run).rejects.toThrow(runError));
      const { fitted, relation } = await run;
      expect(await engine.count(relation)).toBeGreaterThan(0);
      const outputHas = EXPECTED[name]!.outputHas;
      if (outputHas)
        expect(
          fitted.output.map((c) => c.name).some((c) => outputHas.test(c)),
          fitted.output.map((c) => c.name).join(', '),
        ).toBe(true);
    });
  }

  it('docs/import.md holds the operator census of the corpus as scripts/wranglerCensus.ts prints it', () => {
    expect(readFileSync('docs/import.md', 'utf8')).toContain(wranglerCensus(FILES));
  });
});
