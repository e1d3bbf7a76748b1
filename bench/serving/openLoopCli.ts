/**
 * The open-loop generator as a command, so it runs in its own process (pinned to a core of its
 * own with `taskset` by the benchmark); prints its {@link OpenLoopResult} as one JSON line.
 *
 *   node --import tsx bench/serving/openLoopCli.ts --url http://127.0.0.1:8080/invocations \
 *     --rate 2000 --connections 200 --duration 20 [--warmup 5] [--body-file F --content-type T] [--method POST] [--header 'name: value']
 */
import { readFileSync } from 'node:fs';
import { openLoop } from './openLoop.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
function num(name: string, dflt?: number): number {
  const v = arg(name);
  if (v === undefined) {
    if (dflt === undefined) throw new Error(`--${name} is required`);
    return dflt;
  }
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got "${v}"`);
  return n;
}

try {
  const url = arg('url');
  if (!url) throw new Error('--url is required');
  const bodyFile = arg('body-file');
  const type = arg('content-type');
  const method = arg('method');
  const headers: Record<string, string> = type ? { 'content-type': type } : {};
  const extra = arg('header');
  if (extra !== undefined) {
    const colon = extra.indexOf(':');
    if (colon <= 0) throw new Error(`--header must be "name: value", got "${extra}"`);
    headers[extra.slice(0, colon).trim()] = extra.slice(colon + 1).trim();
  }
  const result = await openLoop({
    url,
    rate: num('rate'),
    connections: num('connections', 200),
    durationSec: num('duration', 20),
    warmupSec: num('warmup', 0),
    ...(method ? { method } : {}),
    ...(bodyFile ? { body: readFileSync(bodyFile) } : {}),
    headers,
  });
  process.stdout.write(JSON.stringify(result) + '\n');
} catch (e) {
  process.stderr.write(`openLoopCli: ${(e as Error).message}\n`);
  process.exit(2);
}
