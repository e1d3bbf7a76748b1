import { describe, expect, it } from 'vitest';
import { SluiceError } from '../../src/core/errors.js';
import { parseFlow } from '../../src/flow/loadFlow.js';

function refuse(text: string): SluiceError {
  try {
    parseFlow(text, 'bad.flow.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(SluiceError);
    return e as SluiceError;
  }
  throw new Error('expected the flow to be refused');
}

const head = 'version: 1\nname: t\nsteps:\n';

describe('flow validation errors point to the step, the field and the line', () => {
  it('broken YAML names the line', () => {
    const e = refuse(`${head}  - kind: impute\n    columns: [a, b\n`);
    expect(e.code).toBe('FLOW_SYNTAX');
    expect(e.location?.file).toBe('bad.flow.yaml');
    expect(e.location?.line).toBeGreaterThanOrEqual(5);
  });

  it('an unknown kind suggests the nearest one', () => {
    const e = refuse(`${head}  - kind: drop_column\n    columns: [a]\n`);
    expect(e.code).toBe('FLOW_UNKNOWN_STEP');
    expect(e.hint).toContain('drop_columns');
    expect(e.location).toMatchObject({ step: 0, line: 4 });
  });

  it('a bad field value names the step, field and line', () => {
    const e = refuse(`${head}  - kind: drop_columns\n    columns: [a]\n  - kind: impute\n    columns: [x]\n    strategy: average\n`);
    expect(e.code).toBe('FLOW_INVALID');
    expect(e.message).toContain('step 2 (impute)');
    expect(e.message).toContain('strategy');
    expect(e.location).toMatchObject({ step: 1, field: 'strategy', line: 8 });
    expect(e.hint).toContain('median');
  });

  it('an unknown field is refused with its name', () => {
    const e = refuse(`${head}  - kind: drop_columns\n    columns: [a]\n    colums: [b]\n`);
    expect(e.hint).toContain('colums');
  });

  it('a missing required field is named', () => {
    const e = refuse(`${head}  - kind: find_replace\n    columns: [a]\n    replacement: x\n`);
    expect(e.message).toContain('pattern');
  });

  it('constant impute needs a value', () => {
    const e = refuse(`${head}  - kind: impute\n    columns: [a]\n    strategy: constant\n`);
    expect(e.message).toContain('value');
  });

  it('a version other than 1 is refused', () => {
    const e = refuse('version: 2\nname: t\nsteps: []\n');
    expect(e.message).toContain('version');
  });

  it('expressions are checked: statements and unknown functions are refused', () => {
    const stmt = refuse(`${head}  - kind: compute\n    output: x\n    type: float\n    expression: "1; DROP TABLE t"\n`);
    expect(stmt.code).toBe('EXPR_SYNTAX');
    expect(stmt.location?.step).toBe(0);
    const fn = refuse(`${head}  - kind: compute\n    output: x\n    type: float\n    expression: "read_csv('x')"\n`);
    expect(fn.message).toContain('unknown function');
    const sub = refuse(`${head}  - kind: compute\n    output: x\n    type: float\n    expression: "(SELECT 1)"\n`);
    expect(sub.code).toBe('EXPR_SYNTAX');
  });

  it('regular expressions RE2 cannot run are refused', () => {
    const e = refuse(`${head}  - kind: find_replace\n    columns: [a]\n    pattern: "(?=x)y"\n    replacement: z\n`);
    expect(e.code).toBe('FLOW_REGEX');
  });

  it('a custom-code placeholder from an import is refused and shows its code', () => {
    const e = refuse(`${head}  - kind: todo_custom_code\n    node: abc\n    language: python\n    code: "df = df.dropna()"\n`);
    expect(e.code).toBe('FLOW_PLACEHOLDER');
    expect(e.hint).toContain('df = df.dropna()');
  });

  it('JSON flows are accepted too', () => {
    const spec = parseFlow(JSON.stringify({ version: 1, name: 'j', steps: [{ kind: 'drop_columns', columns: ['a'] }] }), 'x.json');
    expect(spec.steps).toHaveLength(1);
  });
});
