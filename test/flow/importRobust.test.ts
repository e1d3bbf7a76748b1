import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { SluiceError } from '../../src/core/errors.js';
import { importWranglerFlow } from '../../src/flow/import/importWranglerFlow.js';

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ODD_VALUES: unknown[] = [
  null,
  0,
  -1,
  1.5,
  '',
  ' ',
  'x',
  true,
  [],
  [null],
  [1, 'a'],
  {},
  { a: 1 },
  'Approximate Median',
  '\\',
  '(?=x)',
  '`a` +',
  "'",
  'constructor',
  'toString',
  '__proto__',
];

/** Replaces one value somewhere inside `v` (a leaf, or a whole object or list) by an odd one. */
function mutate(v: unknown, next: () => number): unknown {
  if (Array.isArray(v)) {
    if (v.length === 0 || next() < 0.1) return ODD_VALUES[Math.floor(next() * ODD_VALUES.length)];
    const i = Math.floor(next() * v.length);
    return v.map((x, j) => (j === i ? mutate(x, next) : x));
  }
  if (typeof v === 'object' && v !== null) {
    const keys = Object.keys(v);
    if (keys.length === 0 || next() < 0.1) return ODD_VALUES[Math.floor(next() * ODD_VALUES.length)];
    const k = keys[Math.floor(next() * keys.length)]!;
    if (next() < 0.1) {
      const { [k]: _gone, ...rest } = v as Record<string, unknown>;
      return rest;
    }
    return { ...(v as Record<string, unknown>), [k]: mutate((v as Record<string, unknown>)[k], next) };
  }
  return ODD_VALUES[Math.floor(next() * ODD_VALUES.length)];
}

describe('malformed flows never crash the importer', () => {
  for (const fixture of ['operators.flow', 'unknown-operator.flow']) {
    it(`${fixture}: 500 random corruptions each import or fail with a SluiceError`, () => {
      const base = JSON.parse(readFileSync(`test/fixtures/wrangler/${fixture}`, 'utf8')) as unknown;
      const next = rng(fixture.length);
      let imported = 0;
      let rejected = 0;
      for (let i = 0; i < 500; i++) {
        let doc = base;
        const edits = 1 + Math.floor(next() * 3);
        for (let e = 0; e < edits; e++) doc = mutate(doc, next);
        try {
          const r = importWranglerFlow(doc, { file: `mutant-${i}.flow` });
          // Whatever came in, the YAML written holds exactly the flow returned.
          expect(parse(r.yaml), `mutant ${i}`).toEqual(JSON.parse(JSON.stringify(r.flow)));
          imported++;
        } catch (err) {
          if (!(err instanceof SluiceError)) throw new Error(`mutant ${i} crashed: ${String(err)}\n${JSON.stringify(doc).slice(0, 2000)}`);
          expect(err.hint, `mutant ${i}`).toBeTruthy();
          rejected++;
        }
      }
      // Both outcomes occur, so the corruptions reach the mappers as well as the graph checks.
      expect(imported).toBeGreaterThan(50);
      expect(rejected).toBeGreaterThan(5);
    });
  }
});

describe('names from the file never reach JavaScript built-ins', () => {
  it('an operator or sub-operator named like an Object property is a placeholder', () => {
    for (const [operator, action] of [
      ['constructor', undefined],
      ['toString_0.1', undefined],
      ['sagemaker.spark.handle_missing_0.1', 'constructor'],
      ['sagemaker.spark.format_string_0.1', 'toString'],
    ] as const) {
      const nodes = [
        { node_id: 's', type: 'SOURCE', operator: 'sagemaker.s3_source_0.1', inputs: [] },
        { node_id: 't', type: 'TRANSFORM', operator, parameters: action ? { operator: action, input_column: ['a'] } : {}, inputs: [{ node_id: 's' }] },
      ];
      const r = importWranglerFlow({ nodes });
      expect(
        r.flow.steps.map((s) => s.kind),
        `${operator} ${action}`,
      ).toEqual(['todo_custom_code']);
    }
  });

  it('an impute strategy or scaler named "constructor" is a placeholder, not a function', () => {
    const nodes = [
      { node_id: 's', type: 'SOURCE', operator: 'sagemaker.s3_source_0.1', inputs: [] },
      {
        node_id: 'i',
        type: 'TRANSFORM',
        operator: 'sagemaker.spark.handle_missing_0.1',
        parameters: { operator: 'Impute', impute_parameters: { column_type: 'Numeric', numeric_parameters: { strategy: 'constructor', input_column: ['a'] } } },
        inputs: [{ node_id: 's' }],
      },
      {
        node_id: 'n',
        type: 'TRANSFORM',
        operator: 'sagemaker.spark.process_numeric_0.1',
        parameters: { operator: 'Scale values', scale_values_parameters: { scaler: 'constructor', input_column: ['a'] } },
        inputs: [{ node_id: 'i' }],
      },
    ];
    expect(importWranglerFlow({ nodes }).flow.steps.map((s) => s.kind)).toEqual(['todo_custom_code', 'todo_custom_code']);
  });
});
