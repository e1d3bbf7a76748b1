import type { FunctionDef } from './functions.js';

/**
 * The expression language's date functions, each as DuckDB SQL and as JavaScript with the same
 * meaning. A date argument is a date or timestamp column, or text written
 * `YYYY-MM-DD[ HH:MM[:SS[.fraction]]]` (a `T` may separate the time); anything else (other
 * formats, impossible days such as 2023-02-30, numbers) is NULL on both paths. The SQL reads the
 * argument's text form, so a DATE column, a TIMESTAMP column and its text all mean the same thing,
 * and the record path (where dates are ISO text) computes what the batch computed. Times carry no
 * time zone. Functions returning a date give a DATE in SQL and `YYYY-MM-DD` text on the record
 * path; to_timestamp gives a TIMESTAMP and `YYYY-MM-DD HH:MM:SS[.fraction]` text, which is how
 * DuckDB writes them as text.
 */

const PATTERN = '^(\\d{4})-(\\d{1,2})-(\\d{1,2})(?:[ T](\\d{1,2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,6}))?)?)?$';
const RE = new RegExp(PATTERN);

/** SQL: the argument as a TIMESTAMP when its text has the accepted form, else NULL. */
const ts = (a: string): string =>
  `(CASE WHEN regexp_full_match(CAST(${a} AS VARCHAR), '${PATTERN.slice(1, -1)}') THEN TRY_CAST(CAST(${a} AS VARCHAR) AS TIMESTAMP) END)`;
const day = (a: string): string => `CAST(${ts(a)} AS DATE)`;

interface Moment {
  /** Milliseconds since 1970-01-01 00:00 (no time zone), whole seconds. */
  ms: number;
  date: Date;
  /** The fraction of a second as written, without trailing zeros. */
  fraction: string;
}

/** JavaScript: the same reading of a value, or null. */
function moment(v: unknown): Moment | null {
  const text = v instanceof Date ? v.toISOString().replace('Z', '') : typeof v === 'string' ? v : null;
  const m = text === null ? null : RE.exec(text.trim() === text ? text : '');
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || s > 59) return null;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0);
  return { ms: date.getTime(), date, fraction: (m[7] ?? '').replace(/0+$/, '') };
}

const DAY_MS = 86_400_000;
const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysIn = (y: number, m: number): number => [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
const ymd = (d: Date): string => `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
const epochDay = (m: Moment): number => Math.floor(m.ms / DAY_MS);
const fromEpochDay = (n: number): string => ymd(new Date(n * DAY_MS));

/** A whole number argument as DuckDB casts a DOUBLE to INTEGER (half to even), or null. */
function whole(v: unknown): number | null {
  const x = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  if (!Number.isFinite(x)) return null;
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** A function of one date argument: NULL when it is not a date. */
function part(sql: (a: string) => string, js: (m: Moment) => unknown, doc: string): FunctionDef {
  return {
    min: 1,
    max: 1,
    sql: ([a]) => sql(a!),
    js: (a) => {
      const m = moment(a);
      return m === null ? null : js(m);
    },
    doc,
  };
}

/** The epoch day of January 1st of a year. */
function newYear(year: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, 0, 1);
  return Math.floor(d.getTime() / DAY_MS);
}

/** ISO 8601 week number (weeks start on Monday; week 1 holds the year's first Thursday), as DuckDB's weekofyear. */
function isoWeek(m: Moment): number {
  const thursday = epochDay(m) - ((m.date.getUTCDay() + 6) % 7) + 3;
  return Math.floor((thursday - newYear(new Date(thursday * DAY_MS).getUTCFullYear())) / 7) + 1;
}

export const DATE_FUNCTIONS: Record<string, FunctionDef> = {
  year: part(
    (a) => `year(${ts(a)})`,
    (m) => m.date.getUTCFullYear(),
    'the year of a date',
  ),
  quarter: part(
    (a) => `quarter(${ts(a)})`,
    (m) => Math.floor(m.date.getUTCMonth() / 3) + 1,
    'the quarter of a date, 1 to 4',
  ),
  month: part(
    (a) => `month(${ts(a)})`,
    (m) => m.date.getUTCMonth() + 1,
    'the month of a date, 1 to 12',
  ),
  day: part(
    (a) => `day(${ts(a)})`,
    (m) => m.date.getUTCDate(),
    'the day of the month, 1 to 31',
  ),
  dayofweek: part(
    (a) => `dayofweek(${ts(a)})`,
    (m) => m.date.getUTCDay(),
    'the day of the week, 0 (Sunday) to 6 (Saturday)',
  ),
  dayofyear: part(
    (a) => `dayofyear(${ts(a)})`,
    (m) => epochDay(m) - newYear(m.date.getUTCFullYear()) + 1,
    'the day of the year, 1 to 366',
  ),
  weekofyear: part((a) => `weekofyear(${ts(a)})`, isoWeek, 'the ISO 8601 week of the year, 1 to 53'),
  hour: part(
    (a) => `hour(${ts(a)})`,
    (m) => m.date.getUTCHours(),
    'the hour, 0 to 23 (0 for a date)',
  ),
  minute: part(
    (a) => `minute(${ts(a)})`,
    (m) => m.date.getUTCMinutes(),
    'the minute, 0 to 59',
  ),
  second: part(
    (a) => `second(${ts(a)})`,
    (m) => m.date.getUTCSeconds(),
    'the whole seconds, 0 to 59',
  ),
  to_date: part(day, (m) => ymd(m.date), 'the date of a date, timestamp or text `YYYY-MM-DD[ HH:MM:SS]`; NULL when it is not one'),
  to_timestamp: part(
    ts,
    (m) => `${ymd(m.date)} ${pad(m.date.getUTCHours())}:${pad(m.date.getUTCMinutes())}:${pad(m.date.getUTCSeconds())}${m.fraction ? `.${m.fraction}` : ''}`,
    'the timestamp of a date, timestamp or text `YYYY-MM-DD[ HH:MM[:SS[.fraction]]]`; NULL when it is not one',
  ),
  last_day: part(
    (a) => `last_day(${day(a)})`,
    (m) => lastDay(m.date),
    'the last day of the month of a date',
  ),
  datediff: {
    min: 2,
    max: 2,
    sql: ([end, start]) => `date_diff('day', ${day(start!)}, ${day(end!)})`,
    js: (end, start) => {
      const [e, s] = [moment(end), moment(start)];
      return e === null || s === null ? null : epochDay(e) - epochDay(s);
    },
    doc: 'datediff(end, start): the days from start to end (their times ignored), as Spark and MySQL count them',
  },
  date_add: {
    min: 2,
    max: 2,
    sql: ([d, n]) => `(${day(d!)} + TRY_CAST(${n} AS INTEGER))`,
    js: (d, n) => {
      const m = moment(d);
      const k = whole(n);
      return m === null || k === null ? null : fromEpochDay(epochDay(m) + k);
    },
    doc: 'date_add(date, n): the date n days later (earlier for a negative n)',
  },
  add_months: {
    min: 2,
    max: 2,
    sql: ([d, n]) => `CAST(${day(d!)} + to_months(TRY_CAST(${n} AS INTEGER)) AS DATE)`,
    js: (d, n) => {
      const m = moment(d);
      const k = whole(n);
      if (m === null || k === null) return null;
      const months = m.date.getUTCFullYear() * 12 + m.date.getUTCMonth() + k;
      const [y, mo] = [Math.floor(months / 12), (((months % 12) + 12) % 12) + 1];
      return `${pad(y, 4)}-${pad(mo)}-${pad(Math.min(m.date.getUTCDate(), daysIn(y, mo)))}`;
    },
    doc: 'add_months(date, n): the date n months later, on the same day or the month’s last day when it is shorter (Jan 31 + 1 month is Feb 28 or 29)',
  },
};

function lastDay(d: Date): string {
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + 1;
  return `${pad(y, 4)}-${pad(m)}-${pad(daysIn(y, m))}`;
}
