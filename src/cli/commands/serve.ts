import type { Command } from 'commander';
import { SluiceError } from '../../core/errors.js';
// Heavy modules load inside the actions, so `sluice --help` starts fast (test/cli/startup.test.ts).
const lib = async () => ({
  ...(await import('../createLogger.js')),
  ...(await import('../../pipeline/project/loadProject.js')),
  ...(await import('../../pipeline/project/ProjectRuntime.js')),
  ...(await import('../../server/createServer.js')),
  ...(await import('../../server/auth/projectAuthGate.js')),
  ...(await import('../../state/serveLock.js')),
});
// What a cluster primary needs (it only forks and supervises); the endpoint server itself is loaded by the process that serves.
const endpointLib = async () => ({
  ...(await import('../createLogger.js')),
  ...(await import('../../pipeline/project/loadProject.js')),
  ...(await import('../../server/runEndpointCluster.js')),
  ...(await import('../../server/servingV8Flags.js')),
  // Loaded here, not at the top: node:cluster (and the child_process and net it loads) would cost every command's start.
  cluster: (await import('node:cluster')).default,
});

interface ServeOptions {
  project?: string;
  host?: string;
  port?: string;
  watch: boolean;
  work: boolean;
  logFormat?: string;
  role: string;
  workers: string;
}

/** `sluice serve`: inbox watcher, orchestrator, HTTP API and approval pages in one process. */
export function register(program: Command): void {
  program
    .command('serve')
    .description('run the inbox watcher, the orchestrator, the HTTP API and the approval pages')
    .option('-p, --project <dir>', 'project folder (default: the nearest with a sluice.yaml)')
    .option('--host <host>', 'listen address (default: server.host)')
    .option('--port <port>', 'listen port (default: server.port)')
    .option('--no-watch', 'do not watch the inbox')
    .option('--no-work', 'do not run activities here, only orchestrate: sluice worker processes run them (needs stores.state: postgres)')
    .option('--log-format <format>', 'pretty or json (default: pretty on a terminal, json when piped); level from SLUICE_LOG')
    .option('--role <role>', 'all (everything above) or endpoint (only /invocations, /ping, /metrics: no inbox, orchestrator, API or console)', 'all')
    .option('--workers <n>', 'with --role endpoint: processes serving the one port (node:cluster), e.g. one per core', '1')
    .action(async (o: ServeOptions) => {
      const workers = Number(o.workers);
      if (o.role !== 'all' && o.role !== 'endpoint') {
        throw new SluiceError('CLI_BAD_OPTION', `--role is ${JSON.stringify(o.role)}, not all or endpoint`, {
          location: { field: '--role' },
          hint: 'use --role endpoint to run only the prediction endpoint (several processes with --workers N), or leave --role out',
        });
      }
      if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
        throw new SluiceError('CLI_BAD_OPTION', `--workers is ${JSON.stringify(o.workers)}, not a whole number from 1 to 64`, {
          location: { field: '--workers' },
          hint: 'give the number of endpoint processes, e.g. --workers 2 on a 2-core machine',
        });
      }
      if (workers > 1 && o.role !== 'endpoint') {
        throw new SluiceError('CLI_BAD_OPTION', '--workers needs --role endpoint: the inbox watcher and the orchestrator run in one process', {
          location: { field: '--workers' },
          hint: `run sluice serve for the pipeline, and sluice serve --role endpoint --workers ${workers} on another port for the endpoint`,
        });
      }
      if (o.role === 'endpoint') return serveEndpoint(o, workers);
      const { createLogger, createServer, holdServeLock, loadProject, ProjectRuntime, projectAuthGate } = await lib();
      const logger = createLogger({ format: o.logFormat, fallbackLevel: 'info' });
      const project = loadProject(o.project);
      const runtime = await ProjectRuntime.open(project, { logger });
      try {
        await runtime.start({ watch: o.watch, work: o.work });
      } catch (e) {
        await runtime.close();
        throw e;
      }
      const app = await createServer({ project, runtime, auth: projectAuthGate(project, runtime.state) });
      const host = o.host ?? project.config.server.host;
      const port = o.port !== undefined ? Number(o.port) : project.config.server.port;
      const address = await app.listen({ host, port });
      // .sluice/serve.lock: sluice restore refuses while it names this live process.
      const releaseLock = holdServeLock(project.paths.stateDir, { address });
      process.once('exit', releaseLock);
      logger.info({ address, inbox: project.paths.inbox, pipeline: project.pipeline.name }, `sluice serving ${project.config.name} at ${address}`);
      const shutdown = async (signal: string) => {
        logger.info({ signal }, 'shutting down');
        await app.close();
        await runtime.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void shutdown('SIGINT'));
      process.once('SIGTERM', () => void shutdown('SIGTERM'));
    });
}

/**
 * `sluice serve --role endpoint [--workers N]`: the endpoint alone, in N worker processes on one
 * port (the primary forks them with the serving V8 flags; each worker runs this same command).
 * With one worker, a process already started with those flags serves by itself. SIGTERM/SIGINT: stop accepting, answer what is in flight, write the
 * prediction log, exit.
 */
async function serveEndpoint(o: ServeOptions, workers: number): Promise<void> {
  const { cluster, createLogger, hasServingV8Flags, loadProject, runEndpointCluster } = await endpointLib();
  const logger = createLogger({ format: o.logFormat, fallbackLevel: 'info' });
  const project = loadProject(o.project); // a bad project fails here, once, not in every worker
  // The serving process needs the serving V8 flags (a larger young generation: servingV8Flags.ts),
  // which only a process's command line can set: a process started without them serves through
  // one worker started with them (the primary only accepts connections and supervises).
  if (cluster.isPrimary && (workers > 1 || !hasServingV8Flags(process.execArgv))) {
    process.exitCode = await runEndpointCluster({ workers, logger });
    return;
  }
  const { createEndpointServer } = await import('../../server/createEndpointServer.js');
  const app = await createEndpointServer(project, logger);
  // One of several workers listens once its champion is loaded: the primary hands connections to
  // the listening workers in turn, and one still loading would answer its share 503 behind a port
  // whose other workers serve (GET /ping, the load balancer's check, reaches one worker at random).
  // A lone endpoint listens at once and answers /ping 503 until loaded (docs/deployment.md).
  if (cluster.isWorker && workers > 1) await app.endpoint?.follower.ready;
  const host = o.host ?? project.config.server.host;
  const port = o.port !== undefined ? Number(o.port) : project.config.server.port;
  const address = await app.listen({ host, port });
  if (cluster.isPrimary) logger.info({ address }, `sluice endpoint serving ${project.config.name} at ${address}`);
  let closing = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (closing) return;
    closing = true;
    logger.info({ signal, pid: process.pid }, 'shutting down the endpoint');
    await app.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  // A worker whose primary is gone stops too.
  if (cluster.isWorker) cluster.worker?.on('disconnect', () => void shutdown('disconnect'));
}
