import { describe, expect, it } from 'vitest';
import { resolveInput, resolvePath } from '../../src/pipeline/resolvePath.js';

const scope = { input: { file: 'inbox/a.csv' }, results: { report: { verdict: 'drift', columns: ['age'] }, nothing: null } };

describe('resolvePath: $.paths into an execution', () => {
  it('reads the input and earlier results, and the whole scope for $', () => {
    expect(resolvePath(scope, '$.input.file')).toBe('inbox/a.csv');
    expect(resolvePath(scope, '$.results.report.verdict')).toBe('drift');
    expect(resolvePath(scope, '$')).toBe(scope);
  });

  it('is undefined for any missing part, through null, and for what is not the execution’s own data', () => {
    expect(resolvePath(scope, '$.results.train.model')).toBeUndefined();
    expect(resolvePath(scope, '$.results.nothing.x')).toBeUndefined();
    expect(resolvePath(scope, '$.input.file.length')).toBeUndefined();
    expect(resolvePath(scope, '$.input.constructor')).toBeUndefined();
    expect(resolvePath(scope, '$.input.__proto__')).toBeUndefined();
    expect(resolvePath(scope, '$.results.report.toString')).toBeUndefined();
  });

  it('resolveInput replaces $. strings at any depth and keeps other values', () => {
    expect(resolveInput({ f: '$.input.file', list: ['$.results.report.verdict', 'x'], n: 3 }, scope)).toEqual({ f: 'inbox/a.csv', list: ['drift', 'x'], n: 3 });
  });
});
