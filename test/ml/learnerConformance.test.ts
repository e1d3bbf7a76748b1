import { describe, expect, it } from 'vitest';
import { defaultCandidates, randomCandidate } from '../../src/ml/automl/searchSpace.js';
import { checkLearnerSettings } from '../../src/ml/checkLearnerSettings.js';
import type { Frame, Target } from '../../src/ml/frame.js';
import { LEARNER_NAMES, LEARNERS } from '../../src/ml/learners.js';
import { loadModel } from '../../src/ml/loadModel.js';
import type { Task } from '../../src/ml/model.js';
import { Rng } from '../../src/ml/random.js';
import { trainByName } from '../../src/ml/trainByName.js';
import { errorOf } from '../support/errors.js';
import { blobs, regressionData, xorData } from './synthetic.js';

/**
 * The suite every learner of ml/learners.ts passes, for each task kind it declares: a learner
 * added to the list is checked here without a line of test written for it.
 */
const N = 300;
const data: Record<Task, { name: string; frame: Frame; target: Target }[]> = {
  classification: [
    { name: 'binary, numeric missing', ...xorData(N, 1) },
    { name: 'three classes', ...blobs(N, 2) },
  ],
  regression: [{ name: 'numeric', ...regressionData(N, 3) }],
};

/** A few rows with every feature missing (NaN, code -1) and a category never seen in training. */
function missingFrame(frame: Frame): Frame {
  const n = 4;
  return {
    nRows: n,
    features: frame.features.map((f) =>
      f.kind === 'numeric'
        ? { ...f, values: Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? NaN : 0)) }
        : { ...f, codes: Int32Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1 : f.levels.length)), levels: [...f.levels, 'never seen'] },
    ),
  };
}

const seeded = (def: (typeof LEARNERS)[number], seed: number): Record<string, unknown> => ('seed' in def.settings ? { seed } : {});

describe('learner list (ml/learners.ts)', () => {
  it('names are unique and every learner declares tasks, settings, a cost and an AutoML place', () => {
    expect(new Set(LEARNER_NAMES).size).toBe(LEARNERS.length);
    for (const def of LEARNERS) {
      expect(def.tasks.length, def.name).toBeGreaterThan(0);
      expect(def.description.length, def.name).toBeGreaterThan(10);
      expect(def.cost.units(def.cost.calibration, 1000, 5), def.name).toBeGreaterThan(0);
      for (const d of def.search.defaults) checkLearnerSettings(def, d.params);
      checkLearnerSettings(def, def.cost.calibration);
      if (def.search.weight > 0) expect(def.search.draw, `${def.name} has draws but no draw()`).toBeTypeOf('function');
    }
    expect(LEARNERS.filter((l) => l.search.always).map((l) => l.name)).toEqual(['baseline']);
  });

  it('AutoML draws only configurations the drawn learner accepts, for every problem type', () => {
    for (const type of ['binary', 'multiclass', 'regression'] as const) {
      const rng = new Rng(5);
      for (let i = 0; i < 200; i++) {
        const c = randomCandidate(type, LEARNER_NAMES, rng);
        const def = LEARNERS.find((l) => l.name === c.learner)!;
        expect(def.tasks).toContain(type === 'regression' ? 'regression' : 'classification');
        checkLearnerSettings(def, c.params);
      }
      const defaults = defaultCandidates(type, LEARNER_NAMES);
      expect(defaults[0]!.learner).toBe('baseline');
      expect(defaults.map((d) => d.learner)).toEqual(
        type === 'regression' ? ['baseline', 'gbdt', 'linear', 'forest', 'gbdt', 'gbdt'] : ['baseline', 'gbdt', 'logistic', 'forest', 'gbdt', 'gbdt'],
      );
    }
  });

  it('trainByName refuses an unknown setting, naming the closest one, and a value of the wrong type', () => {
    const { frame, target } = xorData(60, 1);
    const typo = errorOf(() => trainByName('gbdt', frame, target, { learningrate: 0.1 }));
    expect(typo).toMatchObject({ code: 'ML_BAD_PARAM', location: { field: 'learningrate' } });
    expect(typo.message).toBe('gbdt has no setting "learningrate"; did you mean "learningRate"?');
    const wrongType = errorOf(() => trainByName('forest', frame, target, { nTrees: '10' }));
    expect(wrongType).toMatchObject({ code: 'ML_BAD_PARAM', location: { field: 'nTrees' } });
    expect(errorOf(() => trainByName('svm' as never, frame, target, {})).code).toBe('ML_UNKNOWN_LEARNER');
    expect(errorOf(() => loadModel({ ...trainByName('baseline', frame, target, {}).toJSON(), learner: 'svm' as never })).code).toBe('ML_BAD_MODEL');
  });
});

for (const def of LEARNERS) {
  describe(`learner ${def.name}`, () => {
    for (const task of ['classification', 'regression'] as const) {
      if (!(def.tasks as readonly Task[]).includes(task)) {
        it(`refuses a ${task} target it does not declare, with a clear error`, () => {
          const { frame, target } = data[task][0]!;
          const e = errorOf(() => trainByName(def.name, frame, target, {}));
          expect(e.code).toMatch(/^ML_/);
        });
        continue;
      }
      for (const d of data[task]) {
        it(`${task} (${d.name}): output shape, JSON round trip, determinism, missing values, column order`, () => {
          const params = { ...def.cost.calibration, ...seeded(def, 7) };
          const model = trainByName(def.name, d.frame, d.target, params);
          expect(model.learner).toBe(def.name);
          expect(model.task).toBe(task);
          const width = d.target.kind === 'classification' ? d.target.labels.length : 1;
          expect(model.width).toBe(width);
          const out = model.output(d.frame);
          expect(out.length).toBe(N * width);
          expect(out.every(Number.isFinite)).toBe(true);
          if (d.target.kind === 'classification') {
            for (let r = 0; r < N; r++) {
              let s = 0;
              for (let c = 0; c < width; c++) s += out[r * width + c]!;
              expect(s).toBeCloseTo(1, 9);
            }
            const p = model.predict(d.frame);
            expect(p.kind === 'classification' && p.codes.length).toBe(N);
          }
          // JSON round trip: the same predictions, bit for bit.
          const loaded = loadModel(JSON.stringify(model.toJSON()));
          expect(loaded.learner).toBe(def.name);
          expect(Array.from(loaded.output(d.frame))).toEqual(Array.from(out));
          // Determinism under a seed: a second fit predicts the same.
          expect(Array.from(trainByName(def.name, d.frame, d.target, params).output(d.frame))).toEqual(Array.from(out));
          // Missing values and an unseen category: finite predictions of the right shape.
          const missing = model.output(missingFrame(d.frame));
          expect(missing.length).toBe(4 * width);
          expect(missing.every(Number.isFinite)).toBe(true);
          // Columns are matched by name: reversed order predicts the same.
          expect(Array.from(model.output({ ...d.frame, features: [...d.frame.features].reverse() }))).toEqual(Array.from(out));
          // The facts it reports are plain JSON.
          const info = def.info?.(model) ?? {};
          expect(JSON.parse(JSON.stringify(info))).toEqual(info);
        });
      }
    }
    if (def.name !== 'baseline') {
      it('learns something: beats the baseline on its first task', () => {
        const task = def.tasks[0]!;
        const d = data[task][0]!;
        const err = (name: string): number => {
          const out = trainByName(name as never, d.frame, d.target, { ...seeded(LEARNERS.find((l) => l.name === name)!, 1) }).output(d.frame);
          if (d.target.kind === 'regression') return out.reduce((a, v, i) => a + (v - (d.target as { values: Float64Array }).values[i]!) ** 2, 0);
          const codes = d.target.codes;
          const w = d.target.labels.length;
          return -codes.reduce((a, c, i) => a + Math.log(Math.max(1e-15, out[i * w + c]!)), 0);
        };
        expect(err(def.name)).toBeLessThan(err('baseline'));
      });
    }
  });
}
