import { closest } from '../core/closest.js';
import { SluiceError } from '../core/errors.js';
import type { LearnerDefinition } from './learnerDefinition.js';

/**
 * Checks hyperparameters against a learner's settings schema: an unknown name (with the closest
 * known one) or a value of the wrong type is an `ML_BAD_PARAM` error naming the field. Ranges
 * are checked by the learner's trainer.
 */
export function checkLearnerSettings(def: LearnerDefinition, params: Record<string, unknown>): void {
  const known = Object.keys(def.settings);
  for (const [key, value] of Object.entries(params)) {
    const spec = def.settings[key];
    if (!spec) {
      const near = closest(key, known);
      throw new SluiceError('ML_BAD_PARAM', `${def.name} has no setting "${key}"${near ? `; did you mean "${near}"?` : ''}`, {
        location: { field: key },
        hint: `${def.name} settings: ${known.join(', ') || 'none'}`,
      });
    }
    if (value === undefined) continue;
    const ok =
      (typeof value === 'string' && (spec.words ?? []).includes(value)) ||
      spec.types.some((t) =>
        t === 'null'
          ? value === null
          : t === 'boolean'
            ? typeof value === 'boolean'
            : t === 'integer'
              ? Number.isInteger(value)
              : typeof value === 'number' && !Number.isNaN(value),
      );
    if (!ok) {
      const want = [...spec.types, ...(spec.words ?? []).map((w) => `"${w}"`)].join(' or ');
      throw new SluiceError('ML_BAD_PARAM', `${def.name}: ${key} must be ${want}, got ${JSON.stringify(value)}`, {
        location: { field: key },
        hint: spec.description,
      });
    }
  }
}
