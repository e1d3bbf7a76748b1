import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createLogger, prettyLine, resolveLogFormat } from '../../src/cli/createLogger.js';
import { ServingMetrics } from '../../src/server/endpoint/ServingMetrics.js';
import { metricsRoutes } from '../../src/server/routes/metrics.js';
import { expectCleanError, sluice } from '../cli/run.js';

/** `promtool check metrics` (Debian's prometheus package) on a metrics text: its exit code and output. */
function promtool(text: string): { code: number | null; out: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (r.error) throw new Error(`promtool is not installed (apt-get install prometheus): ${r.error.message}`);
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** A stream that collects what is written, and says whether it is a terminal. */
function sink(isTTY: boolean): Writable & { text: () => string; isTTY: boolean } {
  const chunks: string[] = [];
  const w = new Writable({
    write(c: Buffer | string, _e, done) {
      chunks.push(c.toString());
      done();
    },
  }) as Writable & { text: () => string; isTTY: boolean };
  w.isTTY = isTTY;
  w.text = () => chunks.join('');
  return w;
}

describe("GET /metrics: the endpoint's metrics beside process and runtime metrics", () => {
  it("has prom-client's process and Node.js metrics, and promtool accepts the whole text", async () => {
    const metrics = new ServingMetrics();
    metrics.observe('readmission', '3', 200, 0.004, 2);
    metrics.observe('readmission', '3', 400, 0.001, 0, 'INVOCATION_BAD_TYPE');
    metrics.setLoaded('readmission', '3');
    metrics.addCollector('sluice_executions', 'Pipeline executions by state.', 'gauge', () => [{ labels: { state: 'running' }, value: 1 }]);
    const app = Fastify();
    await app.register(metricsRoutes, { metrics });
    const r = await app.inject({ method: 'GET', url: '/metrics' });
    await app.close();
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    for (const name of [
      'sluice_invocations_total{model="readmission",version="3",status="200"} 1',
      '# TYPE process_cpu_seconds_total counter',
      'process_resident_memory_bytes ',
      'process_open_fds ',
      'nodejs_eventloop_lag_seconds ',
      'nodejs_heap_size_used_bytes ',
      'nodejs_version_info{version="' + process.version + '"',
    ]) {
      expect(r.body, name).toContain(name);
    }
    const check = promtool(r.body);
    expect(check.code, check.out).toBe(0);
  });

  it('promtool catches a malformed exposition (the check can fail)', async () => {
    const bad = promtool('# TYPE x counter\nx{a="1" 2\n');
    expect(bad.code).not.toBe(0);
    const dup = promtool('# TYPE x_total counter\nx_total 1\n# TYPE x_total counter\nx_total 2\n');
    expect(dup.code).not.toBe(0);
  });

  it('can leave the process metrics out', async () => {
    const app = Fastify();
    await app.register(metricsRoutes, { metrics: new ServingMetrics(), processMetrics: false });
    const r = await app.inject({ method: 'GET', url: '/metrics' });
    await app.close();
    expect(r.body).not.toContain('process_cpu_seconds_total');
  });
});

describe('logs: pretty on a terminal, JSON when piped (--log-format)', () => {
  it('chooses the format from the option, else from whether stdout is a terminal', async () => {
    expect(resolveLogFormat(undefined, true)).toBe('pretty');
    expect(resolveLogFormat(undefined, false)).toBe('json');
    expect(resolveLogFormat('json', true)).toBe('json');
    expect(resolveLogFormat('pretty', false)).toBe('pretty');
    expect(() => resolveLogFormat('xml', true)).toThrow(/--log-format is "xml", not pretty or json/);
  });

  it('JSON: one pino object per line; pretty: time, level, message and fields a person reads', async () => {
    const piped = sink(false);
    createLogger({ fallbackLevel: 'info', out: piped as unknown as NodeJS.WriteStream }).info(
      { address: 'http://127.0.0.1:7300', port: 7300 },
      'sluice serving demo',
    );
    const line = JSON.parse(piped.text().trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 30, msg: 'sluice serving demo', address: 'http://127.0.0.1:7300', port: 7300 });

    const tty = sink(true);
    const log = createLogger({ fallbackLevel: 'info', out: tty as unknown as NodeJS.WriteStream });
    log.warn({ execution: 'ex-1', file: 'batch 7.csv' }, 'approval timed out');
    log.error({ err: new Error('boom') }, 'step failed');
    log.debug('not shown at info');
    const text = tty.text();
    expect(text).toMatch(/^\d\d:\d\d:\d\d\.\d\d\d \x1b\[33mWARN \x1b\[0m approval timed out \x1b\[90mexecution=ex-1 file="batch 7\.csv"\x1b\[0m\n/);
    expect(text).toMatch(/ERROR\x1b\[0m step failed \x1b\[90merr="boom"\x1b\[0m\n {4}Error: boom\n {8}at /);
    expect(text).not.toContain('not shown');
    expect(() => JSON.parse(text.split('\n')[0]!)).toThrow();
  });

  it('pretty lines without colour when NO_COLOR or not a terminal; non-JSON passes through', async () => {
    expect(prettyLine('{"level":30,"time":0,"pid":1,"hostname":"h","msg":"hello","n":2}', false)).toBe('00:00:00.000 INFO  hello n=2');
    expect(prettyLine('plain text', false)).toBe('plain text');
  });

  it('the CLI refuses an unknown --log-format with a clean error', async () => {
    expectCleanError(await sluice(['serve', '--log-format', 'xml', '--project', '/nonexistent']), 'CLI_BAD_OPTION');
  });
});
