/**
 * A namer of new columns that never clash: DuckDB compares names without case, so a name equal (in
 * any case) to one of `taken` or to an earlier name gets the first free suffix `_2`, `_3`, ... The
 * names depend only on `taken` and the order of the calls, so every run and the record path agree.
 * Flow steps name their output columns with it; the report its working columns (a group's size,
 * its sampled rows), which must not take the name of a column of the user's, in any case.
 */
export function uniqueNamer(taken: Iterable<string>): (base: string) => string {
  const used = new Set([...taken].map((n) => n.toLowerCase()));
  return (base) => {
    let name = base;
    for (let k = 2; used.has(name.toLowerCase()); k++) name = `${base}_${k}`;
    used.add(name.toLowerCase());
    return name;
  };
}
