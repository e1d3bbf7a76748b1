import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REPORT_SCHEMA_VERSION, reportJsonSchema, reportSchema } from '../../src/profile/reportSchema.js';

const FILE = 'docs/report.schema.json';

describe('report.json schema', () => {
  // Regenerate with: UPDATE_SCHEMA=1 npx vitest run test/profile/reportSchema.test.ts
  it('docs/report.schema.json is generated from the zod schema and up to date', () => {
    const text = JSON.stringify(reportJsonSchema(), null, 2) + '\n';
    if (process.env.UPDATE_SCHEMA) writeFileSync(FILE, text);
    expect(readFileSync(FILE, 'utf8')).toBe(text);
    const schema = JSON.parse(text);
    expect(schema.properties.schemaVersion.const).toBe(REPORT_SCHEMA_VERSION);
    expect(schema.required).toEqual(expect.arrayContaining(['schemaVersion', 'dataset', 'columns', 'warnings', 'correlations', 'duplicates']));
  });

  it('refuses a report with a wrong version or a missing key', () => {
    const minimal = {
      schemaVersion: REPORT_SCHEMA_VERSION,
      generatedAt: '2026-01-01T00:00:00.000Z',
      source: { name: 'x.csv' },
      timings: {},
      thresholds: {},
      dataset: { rows: 0, columns: 0, missingCells: 0, missingShare: 0, duplicateRows: 0, duplicateShare: 0, featureTypes: {} },
      columns: [],
      warnings: [],
      correlations: { numeric: { columns: [], pearson: [], spearman: [] }, categorical: { columns: [], cramersV: [] }, target: [] },
      duplicates: { duplicateRows: 0, top: [] },
      notes: [],
    };
    expect(reportSchema.safeParse(minimal).success).toBe(true);
    expect(reportSchema.safeParse({ ...minimal, schemaVersion: '0.9.0' }).success).toBe(false);
    const { dataset: _, ...noDataset } = minimal;
    expect(reportSchema.safeParse(noDataset).success).toBe(false);
  });
});
