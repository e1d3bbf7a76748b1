import type { StepSpec } from '../flowSchema.js';
import type { MapContext } from './mapContext.js';
import { lookup, num, obj, str, type Obj } from './params.js';

const UNITS: Record<string, string> = {
  secondly: 'second',
  minutely: 'minute',
  hourly: 'hour',
  daily: 'day',
  weekly: 'week',
  monthly: 'month',
  quarterly: 'quarter',
  yearly: 'year',
  annually: 'year',
};
const NUMERIC: Record<string, string> = { mean: 'mean', average: 'mean', sum: 'sum', min: 'min', max: 'max', median: 'median', first: 'first', last: 'last' };
const OTHER: Record<string, string> = { 'most common': 'mode', mode: 'mode', first: 'first', last: 'last' };
const FILL: Record<string, string> = {
  'constant value': 'constant',
  'forward fill': 'ffill',
  ffill: 'ffill',
  'backward fill': 'bfill',
  bfill: 'bfill',
  'linear interpolation': 'linear',
  linear: 'linear',
};
const DATETIME_PARTS = ['year', 'month', 'day', 'hour', 'minute', 'second', 'week_of_year', 'day_of_year', 'quarter'] as const;

/** The series fields of a step from Data Wrangler's timestamp and id column names. */
function series(timestamp: string | undefined, id: string | undefined): { timestamp: string; group_by?: string[] } | undefined {
  if (!timestamp) return undefined;
  return { timestamp, ...(id ? { group_by: [id] } : {}) };
}

/**
 * Data Wrangler's time series family: validate timestamps, handle missing (along a column),
 * resample, featurize datetime, lag features, rolling window features.
 */
export function mapTimeSeries(ctx: MapContext): void {
  // The parameters block is named after the sub-operator as written: `Resample_parameters`.
  const p: Obj = ctx.action ? obj(ctx.node.parameters, `${ctx.action}_parameters`) : {};
  switch (ctx.action) {
    case 'Validate timestamps': {
      const column = str(p, 'timestamp_column');
      const policy = (str(p, 'policy') ?? 'drop').toLowerCase();
      if (!column || (policy !== 'drop' && policy !== 'error')) {
        ctx.unsupported();
        return;
      }
      ctx.add({ kind: 'validate_timestamps', columns: [column], policy });
      return;
    }
    case 'Handle missing': {
      const type = str(p, 'hm_input_type') ?? '';
      const q = obj(p, `hm_input_type_${type}_parameters`);
      const strategy = str(q, 'hmac_strategy') ?? '';
      const method = lookup(FILL, strategy.toLowerCase());
      const column = str(q, 'hmac_sequence_column');
      const s = series(str(q, 'hmac_timestamp_column'), str(q, 'hmac_id_column'));
      if (!/along column/i.test(type) || !method || !column || !s) {
        ctx.unsupported();
        return;
      }
      const value = str(obj(q, `hmac_strategy_${strategy}_parameters`), 'hmac_custom_value');
      if (method === 'constant' && value === undefined) {
        ctx.unsupported();
        return;
      }
      const leftover = str(q, 'hmac_leftovernans') ?? '';
      const output = str(q, 'hmac_output_column');
      let target = column;
      if (output && output !== column) {
        ctx.add({ kind: 'duplicate_column', column, output });
        target = output;
      }
      const constant = method === 'constant' ? { value: Number.isFinite(Number(value)) && value!.trim() !== '' ? Number(value) : value! } : {};
      ctx.add({
        kind: 'fill_series',
        columns: [target],
        ...s,
        method,
        ...constant,
        ...(/forward|backward/i.test(leftover) ? { then: 'ffill_bfill' } : {}),
      } as StepSpec);
      return;
    }
    case 'Resample': {
      const freq = obj(p, 'frequency');
      const unit = lookup(UNITS, (str(freq, 'offset_description') ?? '').toLowerCase());
      const quantity = num(freq, 'quantity') ?? 1;
      const s = series(str(p, 'timestamp_column'), str(p, 'id_column'));
      if (!unit || !s || !Number.isInteger(quantity) || quantity < 1) {
        ctx.unsupported();
        return;
      }
      const down = obj(p, 'downsample');
      const up = obj(p, 'upsample');
      const numeric = lookup(NUMERIC, (str(down, 'numeric') ?? 'mean').toLowerCase());
      const other = lookup(OTHER, (str(down, 'non_numeric') ?? 'most common').toLowerCase());
      if (!numeric || !other) {
        ctx.unsupported();
        return;
      }
      const upNumeric = (str(up, 'numeric') ?? '').toLowerCase();
      const fill = upNumeric === 'linear' ? 'linear' : upNumeric === 'ffill' ? 'ffill' : 'none';
      if (upNumeric && fill === 'none')
        ctx.note('warning', `upsampling numbers with "${upNumeric}" is not available; the intervals with no rows are left out (fill: none)`);
      if (fill === 'linear' && (str(up, 'non_numeric') ?? 'ffill').toLowerCase() !== 'ffill')
        ctx.note('warning', 'other columns of added intervals are forward-filled in Sluice');
      ctx.add({ kind: 'resample', ...s, every: `${quantity} ${unit}`, numeric, other, fill } as StepSpec);
      return;
    }
    case 'Featurize datetime': {
      const column = str(p, 'input_column');
      const features = DATETIME_PARTS.filter((f) => p[f] === true);
      if (!column || features.length === 0) {
        ctx.unsupported();
        return;
      }
      const mode = str(p, 'output_mode') ?? 'Ordinal';
      if (!/ordinal/i.test(mode)) {
        ctx.unsupported();
        return;
      }
      const output = str(p, 'output_column');
      ctx.note(
        'warning',
        `the parts become columns ${features.map((f) => `${column}_${f}`).join(', ')}${output ? ` (Data Wrangler named them after "${output}")` : ''}`,
      );
      if (str(p, 'date_time_format'))
        ctx.note(
          'warning',
          `Data Wrangler parsed "${column}" with the format ${str(p, 'date_time_format')}; Sluice needs a date or timestamp column (cast it first)`,
        );
      ctx.add({ kind: 'datetime_features', column, features: [...features] } as StepSpec);
      return;
    }
    case 'Lag features': {
      const column = str(p, 'sequence_column');
      const lag = num(p, 'lag');
      const s = series(str(p, 'timestamp_column'), str(p, 'id_column'));
      if (!column || !s || !lag || !Number.isInteger(lag) || lag < 1) {
        ctx.unsupported();
        return;
      }
      const names = Array.from({ length: lag }, (_, i) => `${column}_lag_${i + 1}`);
      ctx.add({ kind: 'lag_features', column, ...s, lags: lag } as StepSpec);
      // Without "entire window" Data Wrangler kept only the lag-th value.
      if (p.entire_window === false && lag > 1) ctx.add({ kind: 'drop_columns', columns: names.slice(0, -1) });
      if (p.entire_window !== false && obj(p, 'entire_window_True_parameters').flatten === false)
        ctx.note('warning', 'Data Wrangler made one list column of the window; Sluice makes one column per lag');
      if (p.drop_rows === true) ctx.add({ kind: 'drop_missing', columns: p.entire_window === false ? names.slice(-1) : names });
      return;
    }
    case 'Rolling window features': {
      const column = str(p, 'sequence_column');
      const window = num(p, 'window_size');
      const s = series(str(p, 'timestamp_column'), str(p, 'id_column'));
      if (!column || !s || !window || !Number.isInteger(window) || window < 1) {
        ctx.unsupported();
        return;
      }
      ctx.note(
        'warning',
        `Data Wrangler computed its "${str(p, 'strategy') ?? 'Minimal subset'}" set of tsfresh features over the window; Sluice computes mean, std, min and max (columns ${column}_rolling_${window}_<stat>); add or remove statistics in the step's stats`,
      );
      ctx.add({ kind: 'rolling_features', column, ...s, window, stats: ['mean', 'std', 'min', 'max'] } as StepSpec);
      return;
    }
    default:
      ctx.unsupported();
      return;
  }
}
