import { z } from 'zod';
import { SluiceError } from '../../core/errors.js';
import { identList, quoteIdent } from '../../engine/sql.js';
import type { Row, StepContext } from '../step.js';
import { columnList, columnName } from './common.js';
import { ROW_NUMBER } from './rowOrder.js';

/** The fields every time-series step shares: the time order, and the groups that are separate series. */
export const seriesFields = {
  timestamp: columnName.describe('The column that orders each series (a date, a timestamp, or a number).'),
  group_by: columnList.optional().describe('Columns that identify a series (e.g. a store id); every group is a separate series. Absent: one series.'),
};

export interface SeriesSpec {
  timestamp: string;
  group_by?: string[] | undefined;
}

/** The columns a series step reads to order its rows. */
export function seriesInputs(s: SeriesSpec): string[] {
  return [s.timestamp, ...(s.group_by ?? [])];
}

/**
 * `PARTITION BY groups ORDER BY timestamp, row` (the input position breaks ties, so equal
 * timestamps keep file order and every run gives the same result).
 */
export function seriesWindow(s: SeriesSpec, frame = ''): string {
  const partition = s.group_by?.length ? `PARTITION BY ${identList(s.group_by)} ` : '';
  return `(${partition}ORDER BY ${quoteIdent(s.timestamp)} NULLS LAST, ${quoteIdent(ROW_NUMBER)}${frame ? ` ${frame}` : ''})`;
}

/**
 * Why a step that reads other rows of its series cannot run on one record at prediction time,
 * and the record path that refuses with that reason.
 */
export function seriesServingProblem(kind: string): string {
  return `${kind} reads the earlier rows of each series, which a single record at prediction time does not have; compute the feature where the history is (a feature group of the feature store) and join it, or drop the step from the serving flow`;
}

export function refuseRecords(kind: string, ctx: StepContext): (row: Row) => Row {
  return () => {
    throw new SluiceError('FLOW_SERVE_REFUSED', `step ${ctx.index + 1}: ${seriesServingProblem(kind)}`, { location: { step: ctx.index } });
  };
}

/** `1 hour`, `15 minutes`, `2 days`, `1 week`, `1 month`: the interval syntax resample accepts. */
export const every = z
  .string()
  .regex(/^\s*\d+\s+(second|minute|hour|day|week|month|year)s?\s*$/i, 'give a count and a unit, e.g. "1 hour", "15 minutes", "1 day"')
  .describe('The new spacing of the series: a count and a unit (second, minute, hour, day, week, month, year), e.g. `1 hour`.');

/** `1 hour` -> `INTERVAL '1 hour'` (validated by {@link every}, so safe to quote). */
export function intervalSql(text: string): string {
  return `INTERVAL '${text.trim().toLowerCase()}'`;
}
