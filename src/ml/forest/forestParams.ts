import { SluiceError } from '../../core/errors.js';

/** Hyperparameters of a random forest. */
export interface ForestParams {
  nTrees: number;
  /** Features tried per split: `sqrt` (classification default), `third` (regression default), or a fraction in (0, 1]. */
  maxFeatures: 'sqrt' | 'third' | number;
  /**
   * Rows per leaf. 5 by default rather than scikit-learn's 1: leaves of one row make
   * probabilities of 0 and 1, which log loss punishes, and trees ten times bigger.
   */
  minSamplesLeaf: number;
  maxDepth: number;
  /** Bootstrap sample size as a fraction of the rows. */
  sampleFraction: number;
  maxBins: number;
  seed: number;
}

export const FOREST_DEFAULTS: ForestParams = {
  nTrees: 100,
  maxFeatures: 'sqrt',
  minSamplesLeaf: 5,
  maxDepth: Infinity,
  sampleFraction: 1,
  maxBins: 255,
  seed: 0,
};

export function resolveForestParams(p: Partial<ForestParams>, task: 'classification' | 'regression'): ForestParams {
  const r: ForestParams = { ...FOREST_DEFAULTS, ...(task === 'regression' ? { maxFeatures: 'third' as const } : {}), ...p };
  if ((r.maxDepth as unknown) === null) r.maxDepth = Infinity;
  const bad = (field: string, want: string): never => {
    throw new SluiceError('ML_BAD_PARAM', `forest: ${field} must be ${want}`, { location: { field } });
  };
  if (!Number.isInteger(r.nTrees) || r.nTrees < 1) bad('nTrees', 'an integer >= 1');
  if (typeof r.maxFeatures === 'number' && !(r.maxFeatures > 0 && r.maxFeatures <= 1)) bad('maxFeatures', "'sqrt', 'third' or a fraction in (0, 1]");
  if (!(r.minSamplesLeaf >= 1)) bad('minSamplesLeaf', '>= 1');
  if (!(r.sampleFraction > 0 && r.sampleFraction <= 1)) bad('sampleFraction', 'in (0, 1]');
  return r;
}
