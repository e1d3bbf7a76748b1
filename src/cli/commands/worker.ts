import type { Command } from 'commander';
import { SluiceError } from '../../core/errors.js';
// Heavy modules load inside the actions, so `sluice --help` starts fast (test/cli/startup.test.ts).
const lib = async () => ({
  ...(await import('../createLogger.js')),
  ...(await import('../../pipeline/project/loadProject.js')),
  ...(await import('../../pipeline/project/ProjectRuntime.js')),
});

interface WorkerOptions {
  project?: string;
  queues?: string;
  concurrency?: string;
  logFormat?: string;
}

/** `sluice worker`: runs activities taken from the job queue, nothing else (state on PostgreSQL). */
export function register(program: Command): void {
  program
    .command('worker')
    .description('run pipeline activities taken from the job queue (needs stores.state: postgres); no API, console, inbox or orchestration')
    .option('-p, --project <dir>', 'project folder (default: the nearest with a sluice.yaml)')
    .option('--queues <names>', 'comma-separated queues to take runs from, one per activity kind (e.g. train,report; default all)')
    .option('--concurrency <n>', 'activity runs at once (default: sluice.yaml queue.concurrency, 2)')
    .option('--log-format <format>', 'pretty or json (default: pretty on a terminal, json when piped); level from SLUICE_LOG')
    .action(async (o: WorkerOptions) => {
      const concurrency = o.concurrency === undefined ? undefined : Number(o.concurrency);
      if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)) {
        throw new SluiceError('CLI_BAD_OPTION', `--concurrency is ${JSON.stringify(o.concurrency)}, not a whole number from 1 to 64`, {
          location: { field: '--concurrency' },
          hint: 'give how many activity runs this worker runs at once, e.g. --concurrency 2',
        });
      }
      const { createLogger, loadProject, ProjectRuntime } = await lib();
      const logger = createLogger({ format: o.logFormat, fallbackLevel: 'info' });
      const project = loadProject(o.project);
      const runtime = await ProjectRuntime.open(project, { logger });
      try {
        runtime.startWorker({
          ...(o.queues !== undefined ? { queues: o.queues.split(',') } : {}),
          ...(concurrency !== undefined ? { concurrency } : {}),
        });
      } catch (e) {
        await runtime.close();
        throw e;
      }
      const queues = o.queues ?? runtime.queueNames.join(',');
      logger.info(
        { queues, concurrency: concurrency ?? project.config.queue.concurrency },
        `sluice worker taking runs of ${project.config.name} from ${queues}`,
      );
      let closing = false;
      const shutdown = async (signal: string) => {
        if (closing) return;
        closing = true;
        logger.info({ signal }, 'stopping: runs in progress go back to the queue');
        await runtime.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void shutdown('SIGINT'));
      process.once('SIGTERM', () => void shutdown('SIGTERM'));
    });
}
