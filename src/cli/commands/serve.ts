import type { Command } from 'commander';
// Heavy modules load inside the actions, so `sluice --help` starts fast (test/cli/startup.test.ts).
const lib = async () => ({
  ...(await import('../createLogger.js')),
  ...(await import('../../pipeline/project/loadProject.js')),
  ...(await import('../../pipeline/project/ProjectRuntime.js')),
  ...(await import('../../server/createServer.js')),
  ...(await import('../../server/auth/projectAuthGate.js')),
  ...(await import('../../state/serveLock.js')),
});

/** `sluice serve`: inbox watcher, orchestrator, HTTP API and approval pages in one process. */
export function register(program: Command): void {
  program
    .command('serve')
    .description('run the inbox watcher, the orchestrator, the HTTP API and the approval pages')
    .option('-p, --project <dir>', 'project folder (default: the nearest with a sluice.yaml)')
    .option('--host <host>', 'listen address (default: server.host)')
    .option('--port <port>', 'listen port (default: server.port)')
    .option('--no-watch', 'do not watch the inbox')
    .option('--log-format <format>', 'pretty or json (default: pretty on a terminal, json when piped); level from SLUICE_LOG')
    .action(async (o: { project?: string; host?: string; port?: string; watch: boolean; logFormat?: string }) => {
      const { createLogger, createServer, holdServeLock, loadProject, ProjectRuntime, projectAuthGate } = await lib();
      const logger = createLogger({ format: o.logFormat, fallbackLevel: 'info' });
      const project = loadProject(o.project);
      const runtime = await ProjectRuntime.open(project, { logger });
      await runtime.start({ watch: o.watch });
      const app = await createServer({ project, runtime, auth: projectAuthGate(project, runtime.db) });
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
