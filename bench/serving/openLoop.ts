/**
 * An open-loop (fixed-rate) HTTP/1.1 load generator, corrected for coordinated omission, in the
 * manner of wrk2: `connections` keep-alive sockets are opened first; then request n is due at
 * `start + n / rate` on connection `n mod connections` (each connection sends every
 * `connections / rate` seconds, the connections evenly staggered). A request due while its
 * connection still waits for the previous answer is sent when that answer arrives, and its
 * latency still counts from the time it was due: a slow server is charged for the requests it
 * kept waiting, instead of the generator quietly sending fewer (a closed-loop tool's blind spot).
 *
 * The client is raw `node:net` with a minimal response reader (status line, Content-Length or
 * chunked) rather than `node:http`: one core then drives well over 20,000 requests/s, so the
 * generator is not what is measured. Percentiles are exact (every latency is kept and sorted).
 * A connection the server closes is not reopened: its queued and later requests count as errors.
 */
import { connect, type Socket } from 'node:net';

export interface OpenLoopOptions {
  /** `http://host:port/path` (HTTP/1.1, no TLS). */
  url: string;
  method?: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** Requests per second, over all connections. */
  rate: number;
  connections: number;
  /** Seconds of recorded load. */
  durationSec: number;
  /** Seconds at the same rate before recording starts (JIT, caches, TCP windows). Default 0. */
  warmupSec?: number;
  /** How long to wait for the answers still outstanding when the load stops. Default 10 s. */
  drainTimeoutMs?: number;
}

/** Latency percentiles in milliseconds. */
export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  /** Fraction of samples at or under 1 ms and 5 ms (the issue's target). */
  within1ms: number;
  within5ms: number;
}

export interface OpenLoopResult {
  url: string;
  targetRate: number;
  connections: number;
  durationSec: number;
  /** Requests due in the recorded window. */
  sent: number;
  /** Of those, answered (any status). */
  completed: number;
  /** Answers received during the recorded window, per second of it (a server that falls behind answers fewer than `targetRate`). */
  achievedRate: number;
  non2xx: number;
  /** Requests lost to a closed or failed connection. */
  errors: number;
  /** Requests still unanswered when the drain timeout ran out. */
  unanswered: number;
  /** All requests written to the server, warm-up included (to check against server counters). */
  totalWritten: number;
  /** All answers read, warm-up included. */
  totalAnswered: number;
  /** From the time each request was due: what a user sending at this rate sees. */
  latencyMs: LatencySummary;
  /** From the time each request was written: what a closed-loop tool would report. */
  serviceMs: LatencySummary;
  /**
   * How late the generator itself wrote requests whose connection was free when they were due:
   * its own overhead, included in `latencyMs`. A p99 near the latencies means the generator,
   * not the server, is the limit.
   */
  sendLagMs: LatencySummary;
}

/** Nearest-rank percentiles of the first `n` values (sorted in place). */
export function summarize(values: Float64Array, n: number): LatencySummary {
  const s = values.subarray(0, n).sort();
  const at = (q: number): number => (n === 0 ? NaN : s[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s[i]!;
  const within = (ms: number): number => {
    let k = 0;
    while (k < n && s[k]! <= ms) k++;
    return n ? k / n : NaN;
  };
  return {
    count: n,
    mean: n ? sum / n : NaN,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    p999: at(0.999),
    max: n ? s[n - 1]! : NaN,
    within1ms: within(1),
    within5ms: within(5),
  };
}

/** A growable Float64Array of samples. */
class Samples {
  values = new Float64Array(1024);
  n = 0;
  push(x: number): void {
    if (this.n === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.n++] = x;
  }
}

/** One keep-alive connection: at most one request in flight, the later due ones queued. */
interface Conn {
  socket: Socket;
  /** Due times (ms, performance.now) of requests not yet answered; the first may be in flight. */
  due: number[];
  head: number;
  inFlight: boolean;
  writtenAt: number;
  buf: Buffer | undefined;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * Length of the first complete HTTP response in `buf`, with its status; undefined if incomplete.
 * Understands Content-Length and chunked bodies (no trailers), which is what Fastify sends.
 */
export function responseLength(buf: Buffer): { length: number; status: number } | undefined {
  const end = buf.indexOf(HEADER_END);
  if (end < 0) return undefined;
  const head = buf.toString('latin1', 0, end);
  const status = Number(head.slice(9, 12));
  const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (cl) {
    const length = end + 4 + Number(cl[1]);
    return buf.length >= length ? { length, status } : undefined;
  }
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    let at = end + 4;
    for (;;) {
      const lineEnd = buf.indexOf('\r\n', at, 'latin1');
      if (lineEnd < 0) return undefined;
      const size = parseInt(buf.toString('latin1', at, lineEnd), 16);
      at = lineEnd + 2 + size + 2;
      if (buf.length < at) return undefined;
      if (size === 0) return { length: at, status };
    }
  }
  // No length: only bodiless statuses can be read without closing the connection.
  if (status === 204 || status === 304 || (status >= 100 && status < 200)) return { length: end + 4, status };
  throw new Error(`response without Content-Length or chunked encoding (status ${status}); the generator needs keep-alive framing`);
}

function validate(o: OpenLoopOptions): URL {
  let u: URL;
  try {
    u = new URL(o.url);
  } catch {
    throw new Error(`openLoop: "${o.url}" is not a URL; give http://host:port/path`);
  }
  if (u.protocol !== 'http:') throw new Error(`openLoop: only http:// URLs are supported, not ${u.protocol}`);
  for (const [k, v] of [
    ['rate', o.rate],
    ['connections', o.connections],
    ['durationSec', o.durationSec],
  ] as const) {
    if (!(Number.isFinite(v) && v > 0)) throw new Error(`openLoop: ${k} must be a positive number, got ${v}`);
  }
  if (!Number.isInteger(o.connections)) throw new Error(`openLoop: connections must be an integer, got ${o.connections}`);
  return u;
}

function requestBytes(u: URL, o: OpenLoopOptions): Buffer {
  const body = o.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(o.body) ? o.body : Buffer.from(o.body);
  const headers: Record<string, string> = { host: u.host, ...Object.fromEntries(Object.entries(o.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])) };
  const method = o.method ?? (body.length ? 'POST' : 'GET');
  if (body.length || method !== 'GET') headers['content-length'] = String(body.length);
  const head = `${method} ${u.pathname}${u.search} HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

function open(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port, noDelay: true });
    s.once('connect', () => {
      s.removeListener('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

/**
 * Runs the load and returns what it measured. Throws before sending anything if the URL is
 * invalid or a connection cannot be opened.
 *
 * @example
 * const r = await openLoop({ url: 'http://127.0.0.1:8080/invocations', method: 'POST',
 *   headers: { 'content-type': 'text/csv' }, body: csv, rate: 2000, connections: 200, durationSec: 20, warmupSec: 5 });
 * console.log(r.achievedRate, r.latencyMs.p99);
 */
export async function openLoop(o: OpenLoopOptions): Promise<OpenLoopResult> {
  const u = validate(o);
  const request = requestBytes(u, o);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = Number(u.port || 80);
  let sockets: Socket[];
  try {
    sockets = await Promise.all(Array.from({ length: o.connections }, () => open(host, port)));
  } catch (e) {
    throw new Error(`openLoop: cannot connect to ${u.host}: ${(e as Error).message}`);
  }

  const interval = 1000 / o.rate;
  const warmupMs = (o.warmupSec ?? 0) * 1000;
  const start = performance.now() + 1;
  const recordFrom = start + warmupMs;
  const stopAt = recordFrom + o.durationSec * 1000;
  const latency = new Samples();
  const service = new Samples();
  const lag = new Samples();
  let sent = 0;
  let completed = 0;
  let non2xx = 0;
  let errors = 0;
  let totalWritten = 0;
  let totalAnswered = 0;
  let answeredInWindow = 0;
  let next = 0; // index of the next request to schedule
  let stopped = false;
  let failure: Error | undefined;
  let onIdle: (() => void) | undefined;
  let outstanding = 0;

  const write = (c: Conn, now: number): void => {
    c.inFlight = true;
    c.writtenAt = now;
    totalWritten++;
    c.socket.write(request);
  };
  const settled = (c: Conn): void => {
    c.head++;
    outstanding--;
    if (c.head > 1024 && c.head * 2 > c.due.length) {
      c.due = c.due.slice(c.head);
      c.head = 0;
    }
    if (stopped && outstanding === 0) onIdle?.();
  };

  const conns: Conn[] = sockets.map((socket) => {
    const c: Conn = { socket, due: [], head: 0, inFlight: false, writtenAt: 0, buf: undefined };
    socket.on('data', (chunk: Buffer) => {
      c.buf = c.buf ? Buffer.concat([c.buf, chunk]) : chunk;
      for (;;) {
        let r: ReturnType<typeof responseLength>;
        try {
          r = responseLength(c.buf);
        } catch (e) {
          failure = e as Error;
          socket.destroy();
          return;
        }
        if (!r) return;
        const now = performance.now();
        c.buf = r.length < c.buf.length ? c.buf.subarray(r.length) : undefined;
        if (c.head >= c.due.length) {
          failure = new Error('openLoop: the server answered a request that was never sent');
          socket.destroy();
          return;
        }
        totalAnswered++;
        if (now >= recordFrom && now < stopAt) answeredInWindow++;
        const due = c.due[c.head]!;
        if (due >= recordFrom && due < stopAt) {
          completed++;
          if (r.status < 200 || r.status >= 300) non2xx++;
          latency.push(now - due);
          service.push(now - c.writtenAt);
        }
        c.inFlight = false;
        settled(c);
        // The next request on this connection may already be due (it waited for this answer).
        if (c.head < c.due.length && c.due[c.head]! <= now) write(c, now);
        if (!c.buf) return;
      }
    });
    const lost = (): void => {
      // Everything queued on a dead connection is lost: count it, never wait for it.
      while (c.head < c.due.length) {
        if (c.due[c.head]! >= recordFrom && c.due[c.head]! < stopAt) errors++;
        settled(c);
      }
      c.inFlight = false;
    };
    socket.on('error', () => undefined);
    socket.on('close', lost);
    return c;
  });

  // The clock: sleeps when the next request is far off, spins (yielding to I/O every turn) when
  // it is under 2 ms away, so requests leave within microseconds of their due time.
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      for (;;) {
        const due = start + next * interval;
        if (due > now || due >= stopAt) break;
        const c = conns[next % conns.length]!;
        next++;
        if (c.socket.destroyed) {
          if (due >= recordFrom) {
            sent++;
            errors++;
          }
          continue;
        }
        if (due >= recordFrom) sent++;
        c.due.push(due);
        outstanding++;
        if (!c.inFlight) {
          if (due >= recordFrom) lag.push(now - due);
          write(c, now);
        }
      }
      const nextDue = start + next * interval;
      if (nextDue >= stopAt || failure) {
        resolve();
        return;
      }
      const wait = nextDue - performance.now();
      if (wait > 2) setTimeout(tick, wait - 1.5);
      else setImmediate(tick);
    };
    tick();
  });
  stopped = true;
  if (outstanding > 0 && !failure) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, o.drainTimeoutMs ?? 10_000);
      onIdle = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
  for (const c of conns) {
    c.socket.removeAllListeners('close');
    c.socket.destroy();
  }
  if (failure) throw failure;
  const unanswered = sent - completed - errors;
  return {
    url: o.url,
    targetRate: o.rate,
    connections: o.connections,
    durationSec: o.durationSec,
    sent,
    completed,
    achievedRate: answeredInWindow / o.durationSec,
    non2xx,
    errors,
    unanswered,
    totalWritten,
    totalAnswered,
    latencyMs: summarize(latency.values, latency.n),
    serviceMs: summarize(service.values, service.n),
    sendLagMs: summarize(lag.values, lag.n),
  };
}
