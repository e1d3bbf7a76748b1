import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLoop, responseLength, summarize, type OpenLoopResult } from '../../bench/serving/openLoop.js';
import { ModelHost } from '../../src/server/endpoint/ModelHost.js';
import { ServingMetrics } from '../../src/server/endpoint/ServingMetrics.js';
import { invocationsRoutes } from '../../src/server/routes/invocations.js';
import { metricsRoutes } from '../../src/server/routes/metrics.js';
import { ThresholdPredictor } from '../models/thresholdPredictor.js';

/** How long the test-only slow route takes to answer. */
const SLOW_MS = 400;

let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  const host = new ModelHost();
  await host.load(() => new ThresholdPredictor('1', 15));
  const metrics = new ServingMetrics();
  app = Fastify({ logger: false });
  await app.register(invocationsRoutes, { host, metrics });
  await app.register(metricsRoutes, { metrics });
  // Test-only: a route slower than the generator's per-connection interval, so requests queue.
  app.get('/slow', async () => {
    await sleep(SLOW_MS);
    return { slow: true };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const a = app.server.address();
  if (a === null || typeof a === 'string') throw new Error('no port');
  base = `http://127.0.0.1:${a.port}`;
});
afterAll(async () => {
  await app?.close();
});

async function servedCount(): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  let n = 0;
  for (const m of text.matchAll(/^sluice_invocations_total\{[^}]*\} (\d+)$/gm)) n += Number(m[1]);
  return n;
}

const BODY = JSON.stringify({ instances: [{ age: 70, gender: 'Female', num_medications: 30, insulin: true }] });

describe('openLoop against a real endpoint', () => {
  it('sends at the fixed rate, in its own process, and every request it counts reached the server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-openloop-'));
    writeFileSync(join(dir, 'body.json'), BODY);
    const before = await servedCount();
    // Async spawn: the server lives in this process and must keep answering meanwhile.
    const r = await new Promise<OpenLoopResult>((resolve, reject) => {
      const child = spawn(process.execPath, [
        '--import',
        'tsx',
        'bench/serving/openLoopCli.ts',
        '--url',
        `${base}/invocations`,
        '--rate',
        '200',
        '--connections',
        '50',
        '--duration',
        '2',
        '--warmup',
        '0.5',
        '--body-file',
        join(dir, 'body.json'),
        '--content-type',
        'application/json',
      ]);
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as OpenLoopResult) : reject(new Error(`openLoopCli exited ${code}: ${err}`))));
    });
    const counted = (await servedCount()) - before;

    expect(Math.abs(r.sent - 400)).toBeLessThanOrEqual(1);
    expect(r.completed).toBe(r.sent);
    expect(r.errors + r.unanswered + r.non2xx).toBe(0);
    // The server's own counter saw exactly what the generator wrote (warm-up included).
    expect(r.totalWritten).toBe(r.totalAnswered);
    expect(counted).toBe(r.totalWritten);
    expect(r.totalWritten).toBeGreaterThanOrEqual(r.sent + 99);
    // The schedule's rate is exact (sent above); a loaded machine stretches the run, never the count.
    expect(r.achievedRate).toBeGreaterThan(50);
    expect(r.achievedRate).toBeLessThan(250);
    const l = r.latencyMs;
    expect(l.count).toBe(r.completed);
    expect(l.p50).toBeGreaterThan(0);
    expect(l.p50).toBeLessThanOrEqual(l.p90);
    expect(l.p90).toBeLessThanOrEqual(l.p99);
    expect(l.p99).toBeLessThanOrEqual(l.max);
    // Each latency counts from the due time, never after the write: it is at least the service time.
    expect(l.mean).toBeGreaterThanOrEqual(r.serviceMs.mean);
  }, 60_000);

  it('charges queueing to the server: latency from the due time grows while service time stays flat', async () => {
    // 50 connections at 200/s: each connection has a request due every 250 ms, the route takes
    // 400 ms, so requests wait on their connection. A closed-loop tool reports ~400 ms.
    const r = await openLoop({ url: `${base}/slow`, rate: 200, connections: 50, durationSec: 2 });
    expect(r.errors + r.unanswered + r.non2xx).toBe(0);
    expect(r.serviceMs.p50).toBeGreaterThanOrEqual(SLOW_MS - 5);
    expect(r.serviceMs.p50).toBeLessThan(SLOW_MS + 300);
    // Request k on a connection is due at 250k ms and answered at about 400(k+1) ms.
    expect(r.latencyMs.p99).toBeGreaterThan(1_000);
    expect(r.latencyMs.mean).toBeGreaterThan(r.serviceMs.mean + 200);
    expect(r.latencyMs.max).toBeGreaterThan(r.serviceMs.max + 500);
    // The server keeps up with 125/s at most; the rate achieved shows it.
    expect(r.achievedRate).toBeLessThan(160);
  }, 60_000);
});

describe('openLoop input and parsing', () => {
  it('refuses bad options and unreachable servers before sending', async () => {
    await expect(openLoop({ url: 'not a url', rate: 1, connections: 1, durationSec: 1 })).rejects.toThrow(/not a URL/);
    await expect(openLoop({ url: 'https://127.0.0.1/', rate: 1, connections: 1, durationSec: 1 })).rejects.toThrow(/only http/);
    await expect(openLoop({ url: `${base}/ping`, rate: 0, connections: 1, durationSec: 1 })).rejects.toThrow(/rate must be a positive number/);
    await expect(openLoop({ url: `${base}/ping`, rate: 10, connections: 1.5, durationSec: 1 })).rejects.toThrow(/connections must be an integer/);
    await expect(openLoop({ url: 'http://127.0.0.1:1/', rate: 10, connections: 2, durationSec: 1 })).rejects.toThrow(/cannot connect to 127.0.0.1:1/);
  });

  it('frames responses by Content-Length or chunks, and waits for incomplete ones', () => {
    const cl = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello');
    expect(responseLength(cl)).toEqual({ length: cl.length, status: 200 });
    expect(responseLength(cl.subarray(0, cl.length - 1))).toBeUndefined();
    expect(responseLength(cl.subarray(0, 20))).toBeUndefined();
    const chunked = Buffer.from('HTTP/1.1 503 No\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
    expect(responseLength(Buffer.concat([chunked, Buffer.from('HTTP/1.1')]))).toEqual({ length: chunked.length, status: 503 });
    expect(responseLength(chunked.subarray(0, chunked.length - 2))).toBeUndefined();
    expect(() => responseLength(Buffer.from('HTTP/1.1 200 OK\r\n\r\n'))).toThrow(/without Content-Length/);
  });

  it('gives nearest-rank percentiles', () => {
    const xs = Float64Array.from({ length: 1000 }, (_, i) => 1000 - i);
    const s = summarize(xs, 1000);
    expect([s.p50, s.p90, s.p99, s.p999, s.max]).toEqual([500, 900, 990, 999, 1000]);
    expect(s.mean).toBe(500.5);
    expect(summarize(new Float64Array(0), 0).count).toBe(0);
  });
});
