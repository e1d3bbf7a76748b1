import { SluiceError } from '../../core/errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** The textual duration form accepted in pipeline specs: `500ms`, `30s`, `10m`, `2h`, `7d`, `1w`, or `1h30m`. */
export const DURATION_PATTERN = /^(\d+(\.\d+)?(ms|s|m|h|d|w))+$/;

/**
 * Converts a spec duration to milliseconds. A bare number means seconds (like Step Functions'
 * `Seconds`), a string combines unit parts (`1h30m`).
 *
 * @example
 * durationMs('10m') // 600000
 * durationMs(5)     // 5000
 */
export function durationMs(value: number | string): number {
  if (typeof value === 'number') return Math.round(value * 1000);
  const text = value.trim();
  if (!DURATION_PATTERN.test(text)) {
    throw new SluiceError('PIPELINE_BAD_DURATION', `"${value}" is not a duration`, {
      hint: 'write a number of seconds or a string such as 30s, 10m, 2h, 7d, 1h30m',
    });
  }
  let total = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)) total += Number(m[1]) * UNIT_MS[m[2]!]!;
  return Math.round(total);
}
