import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { SluiceError } from '../core/errors.js';

export type LogFormat = 'pretty' | 'json';

const LEVELS: Record<number, [string, string]> = {
  10: ['TRACE', '\x1b[90m'],
  20: ['DEBUG', '\x1b[36m'],
  30: ['INFO ', '\x1b[32m'],
  40: ['WARN ', '\x1b[33m'],
  50: ['ERROR', '\x1b[31m'],
  60: ['FATAL', '\x1b[35m'],
};
/** Fields every line has; the pretty form shows them in its own way, not as key=value. */
const OWN = new Set(['level', 'time', 'pid', 'hostname', 'msg']);

/** `--log-format`: `pretty` or `json`; absent: pretty on a terminal, JSON when piped or redirected. */
export function resolveLogFormat(option: string | undefined, isTty: boolean): LogFormat {
  if (option === undefined) return isTty ? 'pretty' : 'json';
  if (option === 'pretty' || option === 'json') return option;
  throw new SluiceError('CLI_BAD_OPTION', `--log-format is ${JSON.stringify(option)}, not pretty or json`, {
    location: { field: '--log-format' },
    hint: 'use --log-format pretty (a terminal) or --log-format json (a log collector)',
  });
}

function value(v: unknown): string {
  if (typeof v === 'string') return /[\s="]/.test(v) || v === '' ? JSON.stringify(v) : v;
  if (v instanceof Object && 'message' in v && 'stack' in v) return JSON.stringify((v as { message: unknown }).message);
  return JSON.stringify(v) ?? String(v);
}

/**
 * One pino JSON line as a person reads it: `12:04:31.207 INFO  message key=value ...`, the level
 * coloured when `color`; an error's stack on the following lines. A line that is not JSON passes through.
 */
export function prettyLine(line: string, color: boolean): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const [name, tint] = LEVELS[o.level as number] ?? [String(o.level).toUpperCase().padEnd(5), ''];
  const time = new Date(typeof o.time === 'number' ? o.time : Date.now()).toISOString().slice(11, 23);
  const fields = Object.entries(o)
    .filter(([k]) => !OWN.has(k))
    .map(([k, v]) => `${k}=${value(v)}`);
  const err = o.err as { stack?: unknown } | undefined;
  const stack = err && typeof err.stack === 'string' ? `\n${err.stack.replace(/^/gm, '    ')}` : '';
  const level = color ? `${tint}${name}\x1b[0m` : name;
  return `${time} ${level} ${String(o.msg ?? '')}${fields.length ? ` ${color ? '\x1b[90m' : ''}${fields.join(' ')}${color ? '\x1b[0m' : ''}` : ''}${stack}`;
}

/** A stream that writes pino's JSON lines to `out` in the pretty form. */
export function prettyStream(out: NodeJS.WritableStream, color: boolean): Writable {
  let rest = '';
  return new Writable({
    write(chunk: Buffer | string, _enc, done) {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop() ?? '';
      if (lines.length) out.write(lines.map((l) => prettyLine(l, color)).join('\n') + '\n');
      done();
    },
    final(done) {
      if (rest) out.write(prettyLine(rest, color) + '\n');
      done();
    },
  });
}

/**
 * The CLI's logger on stdout: JSON lines (pino's) or the pretty form, at `level` (default the
 * `SLUICE_LOG` environment variable, else `fallbackLevel`).
 */
export function createLogger(opts: { format?: string; fallbackLevel: string; out?: NodeJS.WriteStream }): Logger {
  const out = opts.out ?? process.stdout;
  const format = resolveLogFormat(opts.format, out.isTTY === true);
  const level = process.env.SLUICE_LOG ?? opts.fallbackLevel;
  if (format === 'json') return pino({ level }, out);
  return pino({ level }, prettyStream(out, out.isTTY === true && !process.env.NO_COLOR));
}
