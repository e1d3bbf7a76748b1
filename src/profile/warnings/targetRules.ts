import { defineWarningRule } from './defineWarningRule.js';
import { pct } from './WarningContext.js';

/** single_class_target (high): the target has one class (or none); no model can be trained. */
export const singleClassTarget = defineWarningRule({
  code: 'single_class_target',
  severities: ['high'],
  raisedWhen: 'the target has one class (or no value)',
  thresholds: [],
  fixes: ['review'],
  run: ({ target }, raise) => {
    if (target?.problemType !== 'classification' || (target.classCount ?? 0) > 1) return [];
    const n = target.classCount ?? 0;
    return [
      raise(
        'high',
        [target.column],
        n === 0
          ? `the target "${target.column}" has no values`
          : `the target "${target.column}" has a single class (${String(target.classes?.[0]?.value)}): every row of this batch has the same outcome, so no model can learn from it`,
        ['review', 'check the extract: the batch should contain every outcome'],
      ),
    ];
  },
});

/** class_imbalance: majority / minority count ratio at or above `imbalanceRatio`. */
export const classImbalance = defineWarningRule({
  code: 'class_imbalance',
  severities: ['medium'],
  raisedWhen: 'largest / smallest class ≥ threshold',
  thresholds: ['imbalanceRatio'],
  fixes: ['review'],
  run: ({ target, thresholds: t }, raise) => {
    if (!target?.imbalanceRatio || (target.classCount ?? 0) < 2 || target.imbalanceRatio < t.imbalanceRatio) return [];
    return [
      raise(
        'medium',
        [target.column],
        `the largest class of "${target.column}" is ${target.imbalanceRatio.toFixed(1)} times the smallest`,
        ['review', 'use class weights or stratified sampling in training; judge models by balanced accuracy or F1'],
        { value: target.imbalanceRatio, threshold: t.imbalanceRatio },
      ),
    ];
  },
});

/** rare_target_label: a class with a share below `rareLabelShare`. */
export const rareTargetLabel = defineWarningRule({
  code: 'rare_target_label',
  severities: ['medium'],
  raisedWhen: "a class's share is below the threshold",
  thresholds: ['rareLabelShare'],
  fixes: ['map_values'],
  run: ({ target, thresholds: t }, raise) => {
    if (!target?.classes || (target.classCount ?? 0) < 2) return [];
    const rare = target.classes.filter((c) => c.share < t.rareLabelShare);
    if (rare.length === 0) return [];
    return [
      raise(
        'medium',
        [target.column],
        `${rare.length} class(es) of "${target.column}" are rare: ${rare
          .slice(0, 5)
          .map((c) => `${String(c.value)} (${pct(c.share)})`)
          .join(', ')}`,
        ['map_values', 'merge rare classes with map_values, or collect more examples'],
        { value: Math.min(...rare.map((c) => c.share)), threshold: t.rareLabelShare },
      ),
    ];
  },
});

/** too_few_instances_per_class (high): a class with fewer than `minInstancesPerClass` rows cannot be validated. */
export const tooFewInstances = defineWarningRule({
  code: 'too_few_instances_per_class',
  severities: ['high'],
  raisedWhen: 'a class has fewer rows than the threshold',
  thresholds: ['minInstancesPerClass'],
  fixes: ['map_values'],
  run: ({ target, thresholds: t }, raise) => {
    if (!target?.classes || (target.classCount ?? 0) < 2) return [];
    const few = target.classes.filter((c) => c.count < t.minInstancesPerClass);
    if (few.length === 0) return [];
    return [
      raise(
        'high',
        [target.column],
        `${few.length} class(es) of "${target.column}" have fewer than ${t.minInstancesPerClass} rows: ${few
          .slice(0, 5)
          .map((c) => `${String(c.value)} (${c.count})`)
          .join(', ')}`,
        ['map_values', 'merge those classes or drop their rows (filter) before training'],
        { value: Math.min(...few.map((c) => c.count)), threshold: t.minInstancesPerClass },
      ),
    ];
  },
});

/** too_many_classes: more than `maxClasses` classes (often a regression target read as classes). */
export const tooManyClasses = defineWarningRule({
  code: 'too_many_classes',
  severities: ['medium'],
  raisedWhen: 'more classes than the threshold',
  thresholds: ['maxClasses'],
  fixes: ['review'],
  run: ({ target, thresholds: t }, raise) => {
    if (target?.problemType !== 'classification' || (target.classCount ?? 0) <= t.maxClasses) return [];
    return [
      raise(
        'medium',
        [target.column],
        `the target "${target.column}" has ${target.classCount} classes`,
        ['review', 'use --problem-type regression if the target is a quantity, or group classes with map_values'],
        { value: target.classCount ?? 0, threshold: t.maxClasses },
      ),
    ];
  },
});
