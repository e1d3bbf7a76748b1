import { z } from 'zod';
import { SluiceError } from '../../core/errors.js';
import { isNumericType, type ColumnSchema, type LogicalType } from '../../core/types.js';
import { quoteIdent } from '../../engine/sql.js';
import { defineStep, type Row, type StepContext } from '../step.js';
import { columnList, common, isMissing, missingColumn } from './common.js';
import { sideOf, sideSql, takeSnapshot, type Snapshot } from './sideInput.js';

const HOWS = ['inner', 'left', 'right', 'full', 'semi', 'anti'] as const;

const schema = () =>
  z
    .object({
      kind: z.literal('join'),
      with: z.string().min(1).describe('The input to join with (a name under `inputs:`).'),
      how: z
        .enum(HOWS)
        .default('inner')
        .describe('inner, left, right, full (outer), semi (rows with a match, left columns only) or anti (rows without a match).'),
      on: columnList.optional().describe('Key columns with the same name on both sides; the output keeps one of each.'),
      left_on: columnList.optional().describe("Key columns of the flow's data, when the names differ (with right_on; both sides' keys are kept)."),
      right_on: columnList.optional().describe('Key columns of the other input, pairwise with left_on.'),
      suffixes: z
        .tuple([z.string(), z.string()])
        .default(['_x', '_y'])
        .describe('Added to the left and right names of columns both sides have (as pandas merge).'),
      ...common,
    })
    .strict()
    .refine((s) => (s.on !== undefined) !== (s.left_on !== undefined || s.right_on !== undefined), {
      message: 'give either on, or left_on with right_on',
      path: ['on'],
    })
    .refine((s) => s.on !== undefined || (s.left_on?.length ?? -1) === (s.right_on?.length ?? -2), {
      message: 'left_on and right_on need the same number of columns',
      path: ['right_on'],
    })
    .refine((s) => s.suffixes[0] !== s.suffixes[1], { message: 'the two suffixes must differ', path: ['suffixes'] });

type Spec = z.infer<ReturnType<typeof schema>>;
type Fitted = { right: Snapshot };

const L = '__sluice_l';
const R = '__sluice_r';

function keys(s: Spec): { left: string[]; right: string[] } {
  return s.on ? { left: s.on, right: s.on } : { left: s.left_on!, right: s.right_on! };
}

/** One output column: where it comes from, its name and type. */
interface OutColumn {
  name: string;
  type: LogicalType;
  side: 'l' | 'r';
  source: string;
  /** For `on` keys of right and full joins: the key is the left one or, without a left row, the right one. */
  coalesce?: string;
}

/** The output columns, named as pandas merge names them. */
function layout(s: Spec, left: ColumnSchema[], right: ColumnSchema[], ctx: StepContext): OutColumn[] {
  const k = keys(s);
  if (s.how === 'semi' || s.how === 'anti') return left.map((c) => ({ name: c.name, type: c.type, side: 'l', source: c.name }));
  const shared = s.on ? new Set(s.on) : new Set<string>();
  const rightCols = right.filter((c) => !shared.has(c.name));
  const rightNames = new Set(rightCols.map((c) => c.name));
  const leftNames = new Set(left.map((c) => c.name));
  const out: OutColumn[] = left.map((c) => {
    const name = rightNames.has(c.name) ? c.name + s.suffixes[0] : c.name;
    if (shared.has(c.name) && (s.how === 'right' || s.how === 'full')) {
      const rt = right.find((x) => x.name === c.name)!.type;
      return { name, type: rt === c.type ? c.type : 'float', side: 'l', source: c.name, coalesce: c.name };
    }
    return { name, type: c.type, side: 'l', source: c.name };
  });
  for (const c of rightCols) out.push({ name: leftNames.has(c.name) ? c.name + s.suffixes[1] : c.name, type: c.type, side: 'r', source: c.name });
  const seen = new Set<string>();
  for (const c of out) {
    if (seen.has(c.name)) {
      throw new SluiceError('FLOW_COLUMN_EXISTS', `step ${ctx.index + 1} (join) would make two columns named "${c.name}"`, {
        location: { step: ctx.index, field: 'suffixes' },
        hint: 'choose other suffixes, or rename one of the columns before the join',
      });
    }
    seen.add(c.name);
  }
  void k;
  return out;
}

function checkKeys(s: Spec, left: ColumnSchema[], right: ColumnSchema[], ctx: StepContext, input: string): void {
  const k = keys(s);
  k.left.forEach((lk, i) => {
    const rk = k.right[i]!;
    const lc = left.find((c) => c.name === lk);
    if (!lc) throw missingColumn(ctx, lk);
    const rc = right.find((c) => c.name === rk);
    if (!rc) {
      throw new SluiceError('FLOW_MISSING_COLUMN', `step ${ctx.index + 1} (join) needs column "${rk}" in input "${input}", which it does not have`, {
        location: { step: ctx.index, field: s.on ? 'on' : 'right_on' },
        hint: `columns of ${input}: ${right.map((c) => c.name).join(', ')}`,
      });
    }
    if (lc.type !== rc.type && !(isNumericType(lc.type) && isNumericType(rc.type))) {
      throw new SluiceError(
        'FLOW_TYPE',
        `step ${ctx.index + 1} (join) compares "${lk}" (${lc.type}) with "${rk}" of ${input} (${rc.type}), which never match`,
        {
          location: { step: ctx.index, field: s.on ? 'on' : 'left_on' },
          hint: "cast one of them first (a cast step here, or in the input's own steps)",
        },
      );
    }
  });
}

/**
 * Joins the data with another input, as pandas `merge` does (inner, left, right, full) plus semi
 * and anti joins. The other input is learned at fit time: up to 50,000 rows are kept in the
 * fitted flow, so applying it later and serving records use the same reference table.
 */
export const join = defineStep<Spec, Fitted>({
  kind: 'join',
  schema,
  doc: {
    title: 'Join with another input',
    family: 'combine',
    description:
      "Joins the rows with another input of the flow (`inputs:`) on one or several key columns: `inner`, `left`, `right`, `full` (outer), `semi` (rows that have a match, left columns only) or `anti` (rows without one). `on` names keys both sides share (kept once; for right and full joins the key is the left value or, without one, the right value); `left_on`/`right_on` pair keys with different names (both kept). Columns both sides have get the suffixes (default `_x`, `_y`, as pandas merge). Missing keys never match (SQL semantics; pandas matches NaN with NaN). Rows keep the left order, then the right order. The other input is learned when the flow is fitted: up to 50,000 rows are kept in the fitted flow, so later batches and single records are joined with the same table. At prediction time a join is a lookup: a left join gives missing values when nothing matches; an inner or semi join refuses a record without a match (the batch would drop it), an anti join one with a match; right and full joins, keys that match several rows, and larger tables cannot serve records, and the model is refused when it is trained. `with:` may also name a branch of the flow data (a step's `as:`, or an input with `branch:`): every batch then joins with its own branch, nothing is kept, and the flow serves batches only.",
    example: 'kind: join\nwith: race_groups\nhow: left\non: [race]',
    inputs: 'race_groups: { file: race-groups.csv }',
    learns: "the other input's rows (up to 50,000), as the reference table",
  },
  inputs: (s) => keys(s).left,
  async fit(s, ctx) {
    const side = sideOf(ctx, s.with);
    checkKeys(s, ctx.columns, side.columns, ctx, s.with);
    const needed = s.how === 'semi' || s.how === 'anti' ? keys(s).right : side.columns.map((c) => c.name);
    return { right: await takeSnapshot(ctx.engine, side, needed) };
  },
  outputs: (s, f, ctx) => layout(s, ctx.columns, f.right.columns, ctx).map((c) => ({ name: c.name, type: c.type })),
  sql: (s, f, ctx, input) => {
    if (ctx.mode === 'serve' && (s.how === 'right' || s.how === 'full' || f.right.branch !== undefined))
      throw new SluiceError('FLOW_SERVE_REFUSED', `step ${ctx.index + 1}: ${servingProblem(s, f)}`, { location: { step: ctx.index, field: 'how' } });
    const k = keys(s);
    const cond = k.left.map((lk, i) => `l.${quoteIdent(lk)} = r.${quoteIdent(k.right[i]!)}`).join(' AND ');
    const left = `(SELECT *, row_number() OVER () AS ${quoteIdent(L)} FROM ${input})`;
    const right = `(SELECT *, row_number() OVER () AS ${quoteIdent(R)} FROM ${sideSql(ctx, s.with, f.right)})`;
    if (s.how === 'semi' || s.how === 'anti') {
      const cols = ctx.columns.map((c) => `l.${quoteIdent(c.name)}`).join(', ');
      return `SELECT ${cols} FROM ${left} AS l WHERE ${s.how === 'anti' ? 'NOT ' : ''}EXISTS (SELECT 1 FROM ${right} AS r WHERE ${cond}) ORDER BY l.${quoteIdent(L)}`;
    }
    const cols = layout(s, ctx.columns, f.right.columns, ctx).map((c) => {
      const ref = `${c.side}.${quoteIdent(c.source)}`;
      const value = c.coalesce ? `coalesce(${ref}, r.${quoteIdent(c.coalesce)})` : ref;
      return `${value} AS ${quoteIdent(c.name)}`;
    });
    const kind = { inner: 'INNER', left: 'LEFT', right: 'RIGHT', full: 'FULL OUTER' }[s.how];
    return `SELECT ${cols.join(', ')} FROM ${left} AS l ${kind} JOIN ${right} AS r ON ${cond} ORDER BY l.${quoteIdent(L)} NULLS LAST, r.${quoteIdent(R)}`;
  },
  servingProblem: (s, f) => servingProblem(s, f),
  record: (s, f, ctx) => {
    const problem = servingProblem(s, f);
    if (problem) throw new SluiceError('FLOW_SERVE_REFUSED', `step ${ctx.index + 1}: ${problem}`, { location: { step: ctx.index, field: 'how' } });
    const k = keys(s);
    const index = lookupIndex(f.right, k.right);
    const out = layout(s, ctx.columns, f.right.columns, ctx);
    const rightAt = new Map(f.right.columns.map((c, j) => [c.name, j]));
    return (row) => {
      const key = keyOf(k.left.map((c) => row[c]));
      const match = key === undefined ? undefined : index.get(key)?.[0];
      if (s.how === 'anti') {
        if (match)
          throw new SluiceError('RECORD_JOIN', `its key (${k.left.join(', ')}) matches a row of "${s.with}", and the anti join drops such rows`, {
            location: { step: ctx.index },
          });
        return row;
      }
      if (!match && s.how !== 'left') {
        throw new SluiceError(
          'RECORD_JOIN',
          `no row of "${s.with}" matches its key (${k.left.map((c) => `${c}=${JSON.stringify(row[c] ?? null)}`).join(', ')}), and the ${s.how} join drops such rows`,
          {
            location: { step: ctx.index },
            hint: `send a key that ${s.with} has`,
          },
        );
      }
      if (s.how === 'semi') return row;
      const next: Row = {};
      for (const c of out) next[c.name] = c.side === 'l' ? (row[c.source] ?? null) : match ? (match[rightAt.get(c.source)!] ?? null) : null;
      return next;
    };
  },
});

function servingProblem(s: Spec, f: Fitted): string | undefined {
  if (f.right.branch !== undefined)
    return `"${s.with}" is a branch of the flow's own data (taken at "${f.right.branch}"), so the join matches each row with rows of the same batch; a single record at prediction time has no batch to match, so this flow serves batches only (compute the branch's columns on the main chain, or join a reference file, for a model that serves records)`;
  if (s.how === 'right' || s.how === 'full')
    return `a ${s.how} join adds the rows of "${s.with}" that match nothing, which a single record cannot; use a left join (a lookup) for a model that serves records`;
  if (!f.right.rows) return `input "${s.with}" had ${f.right.rowCount} rows when the flow was fitted, too many to keep as a lookup table for prediction time`;
  if (s.how === 'anti' || s.how === 'semi') return undefined;
  const counts = new Map<string, number>();
  const at = keys(s).right.map((c) => f.right.columns.findIndex((x) => x.name === c));
  for (const r of f.right.rows) {
    const key = keyOf(at.map((j) => r[j]));
    if (key === undefined) continue;
    if ((counts.get(key) ?? 0) > 0)
      return `the key (${keys(s).right.join(', ')}) repeats in "${s.with}" (e.g. ${key}), so a record would become several rows; make the key unique in ${s.with} (drop_duplicates in its steps)`;
    counts.set(key, 1);
  }
  return undefined;
}

/** Text key of a row's key values; undefined when one is missing (missing keys never match). */
function keyOf(values: unknown[]): string | undefined {
  if (values.some(isMissing)) return undefined;
  return JSON.stringify(values.map((v) => (typeof v === 'number' || typeof v === 'bigint' ? Number(v) : typeof v === 'boolean' ? v : String(v))));
}

function lookupIndex(snapshot: Snapshot, rightKeys: string[]): Map<string, unknown[][]> {
  const at = rightKeys.map((c) => snapshot.columns.findIndex((x) => x.name === c));
  const index = new Map<string, unknown[][]>();
  for (const r of snapshot.rows ?? []) {
    const key = keyOf(at.map((j) => r[j]));
    if (key === undefined) continue;
    const list = index.get(key);
    if (list) list.push(r);
    else index.set(key, [r]);
  }
  return index;
}
