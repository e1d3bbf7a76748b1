import { z } from 'zod';
import { SluiceError } from '../../core/errors.js';
import { quoteIdent } from '../../engine/sql.js';
import { defineStep, type StepContext } from '../step.js';
import { assertNew, columnName, common, isMissing, plain, typeOf } from './common.js';

const FEATURES = ['year', 'month', 'day', 'day_of_week', 'day_of_year', 'hour', 'minute', 'quarter', 'is_weekend', 'week_of_year', 'second'] as const;
type Feature = (typeof FEATURES)[number];
const TIME_OF_DAY: readonly Feature[] = ['hour', 'minute', 'second'];
/** Added after the first release: only when asked for, so a flow without `features` keeps its columns. */
const ON_REQUEST: readonly Feature[] = ['week_of_year', 'second'];

const schema = () =>
  z
    .object({
      kind: z.literal('datetime_features'),
      column: columnName,
      features: z.array(z.enum(FEATURES)).min(1).optional().describe('The parts to extract; all that apply to the column type when absent.'),
      drop_original: z.boolean().default(false).describe('Remove the date or timestamp column.'),
      ...common,
    })
    .strict();

type Spec = z.infer<ReturnType<typeof schema>>;

function features(s: Spec, ctx: StepContext): Feature[] {
  const t = typeOf(ctx, s.column);
  if (t !== 'date' && t !== 'timestamp') {
    throw new SluiceError('FLOW_TYPE', `step ${ctx.index + 1} (datetime_features) needs a date or timestamp column, but "${s.column}" is ${t}`, {
      location: { step: ctx.index, field: s.column },
      hint: t === 'string' ? `convert "${s.column}" first (kind: infer_types, or kind: cast with to: timestamp)` : 'choose a date or timestamp column',
    });
  }
  const list = s.features ?? FEATURES.filter((f) => !ON_REQUEST.includes(f) && (t === 'timestamp' || !TIME_OF_DAY.includes(f)));
  const bad = list.find((f) => t === 'date' && TIME_OF_DAY.includes(f));
  if (bad) {
    throw new SluiceError('FLOW_TYPE', `step ${ctx.index + 1} (datetime_features): "${s.column}" is a date, which has no ${bad}`, {
      location: { step: ctx.index, field: 'features' },
      hint: 'remove hour and minute from features, or use a timestamp column',
    });
  }
  return list;
}

const SQL: Record<Feature, (c: string) => string> = {
  year: (c) => `year(${c})`,
  month: (c) => `month(${c})`,
  day: (c) => `day(${c})`,
  day_of_week: (c) => `(isodow(${c}) - 1)`,
  day_of_year: (c) => `dayofyear(${c})`,
  hour: (c) => `hour(${c})`,
  minute: (c) => `minute(${c})`,
  quarter: (c) => `quarter(${c})`,
  is_weekend: (c) => `(isodow(${c}) >= 6)::INTEGER`,
  week_of_year: (c) => `weekofyear(${c})`,
  second: (c) => `floor(second(${c}))`,
};

/** A record's date or timestamp as UTC parts; records carry `YYYY-MM-DD[ HH:MM:SS.sss]` text. */
function parts(v: unknown): Record<Feature, number> | null {
  let d: Date;
  if (v instanceof Date) d = v;
  else {
    const m = /^(-?\d{4,})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(String(v));
    if (!m) return null;
    d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)));
    if (m[1]!.length === 4 && Number(m[1]) < 100) d.setUTCFullYear(Number(m[1]));
  }
  if (Number.isNaN(d.getTime())) return null;
  const dow = (d.getUTCDay() + 6) % 7;
  const month = d.getUTCMonth() + 1;
  return {
    year: d.getUTCFullYear(),
    month,
    day: d.getUTCDate(),
    day_of_week: dow,
    day_of_year: Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1,
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    quarter: Math.ceil(month / 3),
    is_weekend: dow >= 5 ? 1 : 0,
    week_of_year: isoWeek(d),
    second: d.getUTCSeconds(),
  };
}

/** The ISO 8601 week number (weeks start on Monday; week 1 holds the year's first Thursday). */
function isoWeek(d: Date): number {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  t.setUTCDate(t.getUTCDate() - ((t.getUTCDay() + 6) % 7) + 3); // the Thursday of the same week
  const jan4 = new Date(Date.UTC(t.getUTCFullYear(), 0, 4));
  return 1 + Math.round(((t.getTime() - jan4.getTime()) / 86_400_000 - 3 + ((jan4.getUTCDay() + 6) % 7)) / 7);
}

/** Date and time parts as integer columns (Data Wrangler's "Featurize date/time"). */
export const datetimeFeatures = defineStep({
  kind: 'datetime_features',
  schema,
  doc: {
    title: 'Date and time features',
    family: 'time',
    description:
      'Adds integer columns `<column>_<feature>` from a date or timestamp column: year, month, day, day_of_week (0 = Monday, as pandas), day_of_year, hour, minute (timestamps only), quarter, is_weekend (1 on Saturday and Sunday); on request also week_of_year (ISO 8601, as pandas `isocalendar().week`) and second (timestamps only). Without `features`, all that apply except week_of_year and second. Timestamps are read as UTC.',
    example: 'kind: datetime_features\ncolumn: admitted_at\nfeatures: [year, month, day_of_week, hour, is_weekend]',
  },
  inputs: (s) => [s.column],
  outputs: (s, _f, ctx) => {
    const kept = s.drop_original ? ctx.columns.filter((c) => c.name !== s.column) : ctx.columns;
    const added = features(s, ctx).map((f) => `${s.column}_${f}`);
    added.forEach((n) => {
      assertNew({ ...ctx, columns: kept }, n);
    });
    return [...plain(kept), ...added.map((name) => ({ name, type: 'integer' as const }))];
  },
  sql: (s, _f, ctx, input) => {
    const c = quoteIdent(s.column);
    const head = s.drop_original ? `SELECT * EXCLUDE (${c})` : 'SELECT *';
    return `${head}${features(s, ctx)
      .map((f) => `, ${SQL[f](c)}::BIGINT AS ${quoteIdent(`${s.column}_${f}`)}`)
      .join('')} FROM ${input}`;
  },
  record: (s, _f, ctx) => {
    const list = features(s, ctx);
    return (row) => {
      const v = row[s.column];
      const p = isMissing(v) ? null : parts(v);
      // a dropped original stays on the record: `delete` makes V8 objects slow, and the
      // fitted flow's output schema decides which fields leave the flow
      const out = { ...row };
      for (const f of list) out[`${s.column}_${f}`] = p ? p[f] : null;
      return out;
    };
  },
});
