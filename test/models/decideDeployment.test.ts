import { describe, expect, it } from 'vitest';
import { decideDeployment } from '../../src/models/decideDeployment.js';
import { championStack } from '../../src/models/championStack.js';

describe('decideDeployment', () => {
  it('promotes when there is no champion', () => {
    expect(decideDeployment('m', 0.5, undefined, 'maximize').decision).toBe('champion');
    expect(decideDeployment('m', 0.5, null, 'minimize').decision).toBe('champion');
  });
  it('needs a strict improvement in the metric direction', () => {
    expect(decideDeployment('m', 0.71, 0.7, 'maximize')).toEqual({
      decision: 'champion',
      reason: 'candidate holdout 0.71 beats champion 0.7 on the new batch (higher is better); promoted to champion',
    });
    expect(decideDeployment('m', 0.69, 0.7, 'maximize').decision).toBe('challenger');
    expect(decideDeployment('m', 0.7, 0.7, 'maximize').reason).toContain('ties');
    expect(decideDeployment('m', 0.4, 0.5, 'minimize').decision).toBe('champion');
    expect(decideDeployment('m', 0.6, 0.5, 'minimize').reason).toContain('lower is better');
  });
  it('never promotes a candidate without a finite metric', () => {
    expect(decideDeployment('m', Number.NaN, 0.5, 'maximize').decision).toBe('challenger');
    expect(decideDeployment('m', undefined, undefined, 'maximize').decision).toBe('challenger');
    expect(decideDeployment('m', 0.5, Number.NaN, 'maximize').decision).toBe('champion');
  });
});

describe('championStack', () => {
  it('pushes promotions, pops rollbacks, clears on removal', () => {
    expect(
      championStack([
        { kind: 'alias', version: 1 },
        { kind: 'alias', version: 2 },
        { kind: 'rollback', version: 1 },
      ]),
    ).toEqual([1]);
    expect(
      championStack([
        { kind: 'alias', version: 1 },
        { kind: 'alias_removed', version: null },
        { kind: 'alias', version: 3 },
      ]),
    ).toEqual([3]);
  });
});
