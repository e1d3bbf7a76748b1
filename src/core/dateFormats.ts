/**
 * Dates written as text, beyond ISO: the formats the readers recognise (docs/data.md, "Types
 * from data") and the one parser batch prediction, the endpoint and a fitted flow's SQL share,
 * so a value means the same date at training, in a batch and in a record.
 *
 * A format is a full-match pattern (RE2 and JavaScript read it alike) whose groups are the year,
 * the month (a number or an English month name) and the day. `12/06/1998` reads as 12 June or
 * 6 December depending on the day/month order, which the user states (`dateOrder: dmy|mdy` in
 * sluice.yaml, `--date-order`); without it such a column stays text: no order is guessed.
 */

export type DateOrder = 'dmy' | 'mdy';

export interface DateFormat {
  /** Recorded in a fitted flow's input column (`format`) and shown in messages. */
  id: string;
  re: string;
  /** Which group (1-based) holds the year, the month and the day. */
  y: number;
  m: number;
  d: number;
  /** Set on numeric day/month formats: used only when this order is stated. */
  order?: DateOrder;
}

const MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
/** Spellings of months: `jan`...`dec`, the full names, and `sept`. */
export const MONTH_SPELLINGS = [...MONTH_NAMES.map((n) => n.slice(0, 3)), ...MONTH_NAMES, 'sept'];
const NAME = '([A-Za-z]{3,9})\\.?';

function numeric(sep: string, order: DateOrder): DateFormat {
  const id = `${order === 'dmy' ? 'dd/mm' : 'mm/dd'}/yyyy`.replaceAll('/', sep);
  const re = `(\\d{1,2})${sep === '.' ? '\\.' : sep}(\\d{1,2})${sep === '.' ? '\\.' : sep}(\\d{4})`;
  return order === 'dmy' ? { id, re, d: 1, m: 2, y: 3, order } : { id, re, m: 1, d: 2, y: 3, order };
}

/** The formats, in the order they are tried. */
export const DATE_FORMATS: readonly DateFormat[] = Object.freeze([
  { id: 'mon d yyyy', re: `${NAME} (\\d{1,2}),? (\\d{4})`, m: 1, d: 2, y: 3 },
  { id: 'd mon yyyy', re: `(\\d{1,2}) ${NAME},? (\\d{4})`, d: 1, m: 2, y: 3 },
  { id: 'd-mon-yyyy', re: `(\\d{1,2})-${NAME}-(\\d{4})`, d: 1, m: 2, y: 3 },
  { id: 'yyyy/mm/dd', re: '(\\d{4})/(\\d{1,2})/(\\d{1,2})', y: 1, m: 2, d: 3 },
  ...['/', '.', '-'].flatMap((sep) => [numeric(sep, 'dmy'), numeric(sep, 'mdy')]),
]);

/** The formats a reader tries: every unambiguous one, and the numeric ones of the stated order. */
export function dateFormatsFor(order: DateOrder | undefined): DateFormat[] {
  return DATE_FORMATS.filter((f) => f.order === undefined || f.order === order);
}

export function dateFormat(id: string): DateFormat | undefined {
  return DATE_FORMATS.find((f) => f.id === id);
}

function monthNumber(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const i = MONTH_SPELLINGS.indexOf(text.toLowerCase());
  return i < 0 ? undefined : i === 24 ? 9 : (i % 12) + 1;
}

const jsPatterns = new Map<string, RegExp>();

/**
 * Reads `text` (trimmed of spaces) as a date in `format`: `YYYY-MM-DD`, or null when it is not
 * one (a different shape, a 31 June). The JavaScript twin of {@link dateFromTextSql}.
 *
 * @example
 * parseDateText('Jun 12 1998', dateFormat('mon d yyyy')!) // '1998-06-12'
 * parseDateText('12/06/1998', dateFormat('dd/mm/yyyy')!) // '1998-06-12'
 */
export function parseDateText(text: string, format: DateFormat): string | null {
  let re = jsPatterns.get(format.id);
  if (!re) jsPatterns.set(format.id, (re = new RegExp(`^(?:${format.re})$`)));
  const m = re.exec(text.replace(/^ +| +$/g, ''));
  if (!m) return null;
  const y = Number(m[format.y]);
  const mo = monthNumber(m[format.m]!);
  const d = Number(m[format.d]);
  if (mo === undefined) return null;
  const day = new Date(0);
  day.setUTCFullYear(y, mo - 1, d);
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return null;
  return `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

export const ISO_DATE: DateFormat = { id: 'yyyy-mm-dd', re: '(\\d{4})-(\\d{2})-(\\d{2})', y: 1, m: 2, d: 3 };

/**
 * A value of a date column at prediction time: in the column's recorded format, else as an ISO
 * date (`1998-06-12`), else null. The JavaScript twin of `readDateSql` (src/engine/dateSql.ts).
 */
export function readDateText(text: string, format: DateFormat): string | null {
  return parseDateText(text, format) ?? parseDateText(text, ISO_DATE);
}
