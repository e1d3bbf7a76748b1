import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { withServingV8Flags } from './servingV8Flags.js';

export interface EndpointClusterOptions {
  /** Worker processes to fork (each one a whole endpoint: its own model copy, its own event loop). */
  workers: number;
  logger: Logger;
  /** Worker restarts allowed within a minute before the primary gives up (default 3 per worker). */
  maxRestartsPerMinute?: number;
  /** How long a worker has to finish its requests and write its prediction log on shutdown (default 30 s). */
  shutdownMs?: number;
}

/**
 * The primary process of `sluice serve --role endpoint --workers N` (node:cluster): forks `N`
 * workers that each run the endpoint server (createEndpointServer.ts) and listen on the same
 * port; the primary accepts connections and hands them to the workers in turn (round robin), so
 * the requests of a kept-alive connection stay with one worker and the primary's own work is one
 * accept per connection. Each worker loads the champion before it listens (serve.ts) and follows
 * promotions from the registry by itself. The workers run with the serving V8 flags (servingV8Flags.ts: a young
 * generation of 2 × 32 MB) added to the primary's own. A worker that dies is replaced (at most `maxRestartsPerMinute`, then the
 * primary stops: a champion that crashes every worker should not loop forever). SIGTERM or
 * SIGINT to the primary is passed on as SIGTERM to every worker, which stops accepting, answers
 * what it has, writes its prediction log and exits; the primary exits once all have (non-zero
 * if one failed). Resolves with the exit code.
 */
export function runEndpointCluster(opts: EndpointClusterOptions): Promise<number> {
  const { workers, logger } = opts;
  const maxRestarts = opts.maxRestartsPerMinute ?? 3 * workers;
  const restarts: number[] = [];
  let stopping = false;
  let failed = false;
  let listening = 0;
  return new Promise((resolve) => {
    const alive = new Set<Worker>();
    const fork = (): void => {
      const w = cluster.fork();
      alive.add(w);
    };
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal, workers: alive.size }, 'stopping the endpoint workers');
      if (alive.size === 0) resolve(failed ? 1 : 0);
      for (const w of alive) w.process.kill('SIGTERM');
      setTimeout(() => {
        for (const w of alive) {
          logger.error({ pid: w.process.pid }, 'an endpoint worker did not stop in time: killed');
          w.process.kill('SIGKILL');
        }
      }, opts.shutdownMs ?? 30_000).unref();
    };
    cluster.on('listening', (w, address) => {
      listening++;
      if (listening === workers) {
        const host = address.address && address.address !== '::' ? address.address : '127.0.0.1';
        logger.info(
          { address: `http://${host}:${address.port}`, workers, pids: [...alive].map((x) => x.process.pid), execArgv: cluster.settings.execArgv },
          `sluice endpoint serving at http://${host}:${address.port} with ${workers} worker process${workers === 1 ? '' : 'es'}`,
        );
      } else if (listening > workers) logger.info({ pid: w.process.pid }, 'a replacement endpoint worker serves');
    });
    cluster.on('exit', (w, code, signal) => {
      alive.delete(w);
      if (code !== 0 && !(stopping && signal === 'SIGTERM')) failed = failed || stopping || code !== 0;
      if (stopping) {
        if (alive.size === 0) resolve(failed ? 1 : 0);
        return;
      }
      const now = Date.now();
      restarts.push(now);
      while (restarts.length > 0 && restarts[0]! < now - 60_000) restarts.shift();
      if (restarts.length > maxRestarts) {
        logger.error({ code, signal, restarts: restarts.length }, `endpoint workers keep exiting (${restarts.length} in a minute): stopping`);
        failed = true;
        stop('restarts');
        return;
      }
      logger.error({ pid: w.process.pid, code, signal }, 'an endpoint worker exited: starting another');
      fork();
    });
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    // The workers serve: they start with the serving V8 flags (a larger young generation), which
    // only the command line can give a process (servingV8Flags.ts); the primary only accepts.
    cluster.setupPrimary({ execArgv: withServingV8Flags(process.execArgv) });
    for (let i = 0; i < workers; i++) fork();
  });
}
