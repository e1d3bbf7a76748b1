import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSluiceError, type SluiceError } from '../../src/core/errors.js';
import { Engine } from '../../src/engine/Engine.js';
import { fitFlow } from '../../src/flow/fitFlow.js';
import { parseFlow } from '../../src/flow/loadFlow.js';
import { fitPartitioned } from '../../src/flow/partitions/fitPartitioned.js';

// `__proto__` cannot be a column name (src/core/reservedColumnName.ts): a flow cannot name one or
// hold it as a key, and no step may make one. Names of Object.prototype's other members
// (`constructor`) are ordinary names, looked up as own keys only.

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.open();
});
afterAll(() => engine.close());

function flowError(text: string): SluiceError {
  try {
    parseFlow(text, 'p.flow.yaml');
  } catch (e) {
    if (isSluiceError(e)) return e;
    throw e;
  }
  throw new Error('the flow was accepted');
}

async function rejection(p: Promise<unknown>): Promise<SluiceError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (isSluiceError(e)) return e;
  throw e ?? new Error('accepted');
}

const flow = (steps: string) => `version: 1\nname: p\nsteps:\n${steps}`;

describe('a flow cannot name a column __proto__', () => {
  it('rename_columns to __proto__: refused at validation, naming the step, the field and the line', () => {
    const e = flowError(flow('  - kind: drop_columns\n    columns: [x]\n  - kind: rename_columns\n    mapping: { a: __proto__ }\n'));
    expect(e.code).toBe('FLOW_INVALID');
    expect(e.message).toContain('step 2 (rename_columns), field "mapping.a"');
    expect(e.message).toContain('"__proto__" cannot be a column name');
    expect(e.location).toMatchObject({ step: 1, field: 'mapping.a', line: 7 });
  });

  it('an output named __proto__ (compute, duplicate_column) and a column list naming it are refused', () => {
    for (const [step, field] of [
      ['  - kind: compute\n    output: __proto__\n    expression: a + 1\n', 'output'],
      ['  - kind: duplicate_column\n    column: a\n    output: __proto__\n', 'output'],
      ['  - kind: drop_columns\n    columns: [a, __proto__]\n', 'columns.1'],
    ] as const) {
      const e = flowError(flow(step));
      expect(e.code, step).toBe('FLOW_INVALID');
      expect(e.location?.field, step).toBe(field);
    }
  });

  it('a __proto__ key anywhere in the flow is refused with its place, not dropped (a mapping entry, an input)', () => {
    // zod's records and JavaScript objects drop such a key without a word: the mapping of the
    // value "__proto__" would silently not apply.
    const e = flowError(flow('  - kind: map_values\n    column: b\n    mapping: { __proto__: 1, x: 2 }\n'));
    expect(e.code).toBe('FLOW_INVALID');
    expect(e.message).toContain('step 1 (map_values), field "mapping.__proto__"');
    expect(e.location).toMatchObject({ step: 0, field: 'mapping.__proto__', line: 6 });
    const input = flowError(`version: 1\nname: p\ninputs:\n  __proto__: { file: x.csv }\nsteps: []\n`);
    expect(input.message).toContain('the flow, field "inputs.__proto__"');
    expect(input.location?.line).toBe(4);
    // JSON flows too (JSON.parse, like the YAML parser, keeps the key as an own key).
    const json = flowError(JSON.stringify({ version: 1, name: 'p', steps: [{ kind: 'rename_columns', mapping: JSON.parse('{"__proto__": "b"}') }] }));
    expect(json.location).toMatchObject({ step: 0, field: 'mapping.__proto__' });
  });

  it('a column named constructor stays an ordinary name', () => {
    const spec = parseFlow(
      flow('  - kind: rename_columns\n    mapping: { constructor: maker }\n  - kind: duplicate_column\n    column: maker\n    output: toString\n'),
    );
    expect(spec.steps[0]).toMatchObject({ mapping: { constructor: 'maker' } });
  });
});

describe('no step may make a column named __proto__', () => {
  // one_hot names its indicators <col>_<category>: column "_" with the value "proto__" makes "__proto__".
  const steps = [{ kind: 'one_hot', columns: ['_'] }];
  const spec = () => parseFlow(stringify({ version: 1, name: 'p', steps }));

  it('fitting refuses it, naming the step (FLOW_COLUMN_NAME), instead of a later step or the record path losing the column', async () => {
    await engine.exec(`CREATE OR REPLACE TABLE proto_cat AS SELECT ['proto__', 'x'][r % 2 + 1] AS "_", r AS n FROM range(6) t(r)`);
    const e = await rejection(fitFlow(engine, spec(), 'proto_cat'));
    expect(e.code).toBe('FLOW_COLUMN_NAME');
    expect(e.message).toContain('step 1 (one_hot) makes a column named "__proto__"');
    expect(e.location).toMatchObject({ step: 0 });
    expect(e.hint).toBeTruthy();
  });

  it('fitting on partitions refuses it the same way', async () => {
    await engine.exec(`CREATE OR REPLACE TABLE proto_cat_a AS SELECT * FROM proto_cat WHERE n < 3`);
    await engine.exec(`CREATE OR REPLACE TABLE proto_cat_b AS SELECT * FROM proto_cat WHERE n >= 3`);
    const e = await rejection(fitPartitioned(engine, spec(), ['proto_cat_a', 'proto_cat_b']));
    expect(e.code).toBe('FLOW_COLUMN_NAME');
    expect(e.location).toMatchObject({ step: 0 });
  });
});

describe('fitting on partitions looks a column name up as an own key', () => {
  it('ordinal_encode with an order for another column learns the categories of a column named constructor', async () => {
    // `order.constructor` was Object.prototype.constructor: the fit crashed (explicit.map is not a function).
    await engine.exec(
      `CREATE OR REPLACE TABLE proto_parts AS SELECT ['b', 'a', 'c'][r % 3 + 1] AS "constructor", ['lo', 'hi'][r % 2 + 1] AS level, r AS n FROM range(6) t(r)`,
    );
    await engine.exec(`CREATE OR REPLACE TABLE proto_parts_a AS SELECT * FROM proto_parts WHERE n < 3`);
    await engine.exec(`CREATE OR REPLACE TABLE proto_parts_b AS SELECT * FROM proto_parts WHERE n >= 3`);
    const spec = parseFlow(
      stringify({ version: 1, name: 'p', steps: [{ kind: 'ordinal_encode', columns: ['constructor', 'level'], order: { level: ['lo', 'hi'] } }] }),
    );
    const fitted = await fitPartitioned(engine, spec, ['proto_parts_a', 'proto_parts_b']);
    expect((fitted.steps[0]!.fitted as { categories: Record<string, string[]> }).categories).toEqual({ constructor: ['a', 'b', 'c'], level: ['lo', 'hi'] });
  });
});
