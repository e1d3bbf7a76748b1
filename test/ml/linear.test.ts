/**
 * Logistic and ridge regression against scikit-learn 1.2.1 (StandardScaler + OneHotEncoder +
 * LogisticRegression / Ridge) on the same rows. Expected predictions come from (repository root):
 *
 *   /usr/bin/python3 test/ml/fixtures/sklearn_linear.py > test/ml/fixtures/sklearn_linear.json
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/ml/frame.js';
import { lbfgs } from '../../src/ml/linear/lbfgs.js';
import { LinearModel } from '../../src/ml/linear/linearModel.js';
import { trainLinear } from '../../src/ml/linear/trainLinear.js';
import { trainLogistic } from '../../src/ml/linear/trainLogistic.js';

interface Fixture {
  a: number[];
  b: number[];
  c: number[];
  y3: number[];
  y2: number[];
  yr: number[];
  p3: number[];
  p2: number[];
  pr: number[];
}
const fx = JSON.parse(readFileSync(new URL('./fixtures/sklearn_linear.json', import.meta.url), 'utf8')) as Fixture;
const n = fx.a.length;
// Levels deliberately listed in another order than scikit-learn's sorted categories.
const frame: Frame = {
  nRows: n,
  features: [
    { name: 'a', kind: 'numeric', values: Float64Array.from(fx.a) },
    { name: 'b', kind: 'numeric', values: Float64Array.from(fx.b) },
    { name: 'c', kind: 'categorical', codes: Int32Array.from(fx.c, (v) => 3 - v), levels: ['L3', 'L2', 'L1', 'L0'] },
  ],
};

describe('lbfgs', () => {
  it('minimises an ill-conditioned quadratic', () => {
    const scales = [1, 10, 100, 1000];
    const r = lbfgs(
      (x, g) => {
        let f = 0;
        scales.forEach((s, i) => {
          f += 0.5 * s * (x[i]! - i) ** 2;
          g[i] = s * (x[i]! - i);
        });
        return f;
      },
      new Float64Array(4),
      { gradTol: 1e-10, fTol: 0 },
    );
    expect(r.converged).toBe(true);
    Array.from(r.x).forEach((v, i) => {
      expect(v).toBeCloseTo(i, 8);
    });
  });
});

describe('trainLogistic', () => {
  it('multinomial probabilities match scikit-learn', () => {
    const m = trainLogistic(frame, { kind: 'classification', codes: Int32Array.from(fx.y3), labels: ['x', 'y', 'z'] }, { C: 0.5 });
    const p = m.predictProba(frame);
    let maxDiff = 0;
    p.forEach((v, i) => {
      maxDiff = Math.max(maxDiff, Math.abs(v - fx.p3[i]!));
    });
    expect(maxDiff).toBeLessThan(1e-4);
  });
  it('binary probabilities match scikit-learn and survive a JSON round trip', () => {
    const m = trainLogistic(frame, { kind: 'classification', codes: Int32Array.from(fx.y2), labels: ['neg', 'pos'] });
    const p = m.predictProba(frame);
    let maxDiff = 0;
    p.forEach((v, i) => {
      maxDiff = Math.max(maxDiff, Math.abs(v - fx.p2[i]!));
    });
    expect(maxDiff).toBeLessThan(1e-4);
    const back = LinearModel.fromJSON(JSON.parse(JSON.stringify(m.toJSON())));
    expect(Array.from(back.predictProba(frame))).toEqual(Array.from(p));
  });
  it('rejects a regression target', () => {
    expect(() => trainLogistic(frame, { kind: 'regression', values: Float64Array.from(fx.yr) })).toThrow(/classification/);
  });
});

describe('trainLinear', () => {
  it('ridge predictions match scikit-learn', () => {
    const m = trainLinear(frame, { kind: 'regression', values: Float64Array.from(fx.yr) });
    const pred = m.predict(frame);
    const v = pred.kind === 'regression' ? pred.values : new Float64Array();
    let maxDiff = 0;
    v.forEach((x, i) => {
      maxDiff = Math.max(maxDiff, Math.abs(x - fx.pr[i]!));
    });
    expect(maxDiff).toBeLessThan(1e-4);
  });
});
