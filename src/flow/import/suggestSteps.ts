/** PySpark (and Spark SQL) calls, and the built-in Sluice steps that do the same. */
const HINTS: Array<{ pattern: RegExp; step: string }> = [
  { pattern: /\.drop\s*\(/, step: 'drop_columns' },
  { pattern: /\.select\s*\(/, step: 'select_columns' },
  { pattern: /withColumnRenamed|\.alias\s*\(/, step: 'rename_columns' },
  { pattern: /\.cast\s*\(|astype/, step: 'cast' },
  { pattern: /\.dropna\s*\(|na\.drop/, step: 'drop_missing' },
  { pattern: /\.fillna\s*\(|na\.fill|Imputer/, step: 'impute' },
  { pattern: /dropDuplicates|drop_duplicates|\.distinct\s*\(/, step: 'drop_duplicates' },
  { pattern: /\.filter\s*\(|\.where\s*\(/, step: 'filter_rows' },
  { pattern: /orderBy|\.sort\s*\(/, step: 'sort' },
  { pattern: /\.sample\s*\(|sampleBy/, step: 'sample' },
  { pattern: /regexp_replace|\.replace\s*\(/, step: 'find_replace' },
  { pattern: /regexp_extract/, step: 'regex_extract' },
  { pattern: /\b(lower|upper|initcap)\s*\(/, step: 'change_case' },
  { pattern: /\b(trim|ltrim|rtrim)\s*\(/, step: 'trim' },
  { pattern: /\bsplit\s*\(/, step: 'split_column' },
  { pattern: /\bwhen\s*\(|withColumn/, step: 'compute' },
  { pattern: /monotonically_increasing_id|uuid/, step: 'record_id' },
  { pattern: /current_timestamp|unix_timestamp|time\.time|current_date/, step: 'event_time' },
  { pattern: /\b(year|month|dayofweek|dayofmonth|hour|minute)\s*\(/, step: 'datetime_features' },
  { pattern: /\.join\s*\(/, step: 'join' },
  { pattern: /\.union(ByName|All)?\s*\(/, step: 'concatenate' },
  { pattern: /StringIndexer/, step: 'ordinal_encode' },
  { pattern: /OneHotEncoder|get_dummies/, step: 'one_hot' },
  { pattern: /StandardScaler|MinMaxScaler|MaxAbsScaler|RobustScaler/, step: 'scale' },
  { pattern: /Bucketizer|QuantileDiscretizer/, step: 'bin' },
  { pattern: /\blag\s*\(/, step: 'lag_features' },
];

/**
 * The built-in steps that match what custom code does, by the calls it makes (in the order they
 * first appear), for the placeholder's note: a start for replacing it, not a translation.
 */
export function suggestSteps(code: string): string[] {
  // Comments say what the author meant to do, not what runs.
  const live = code.replace(/#.*$/gm, '');
  return HINTS.map((h) => ({ step: h.step, at: live.search(h.pattern) }))
    .filter((h) => h.at >= 0)
    .sort((a, b) => a.at - b.at)
    .map((h) => h.step)
    .filter((s, i, all) => all.indexOf(s) === i);
}
