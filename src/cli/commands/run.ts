import type { Command } from 'commander';
// Heavy modules load inside the actions, so `sluice --help` starts fast (test/cli/startup.test.ts).
const lib = async () => ({
  ...(await import('../createLogger.js')),
  ...(await import('../../pipeline/project/loadProject.js')),
  ...(await import('../../pipeline/project/ProjectRuntime.js')),
  ...(await import('../../pipeline/formatExecution.js')),
});

/** `sluice run FILE [--wait]`: starts an execution for a file. */
export function register(program: Command): void {
  program
    .command('run')
    .description('start an execution of the pipeline for a data file')
    .argument('<file>', 'the data file')
    .option('-p, --project <dir>', 'project folder (default: the nearest with a sluice.yaml)')
    .option('-w, --wait', 'drive the execution here and wait until it ends, printing its events')
    .option('--allow-duplicate', 'process the file even if the same content was processed before')
    .option('--log-format <format>', 'pretty or json (default: pretty on a terminal, json when piped); level from SLUICE_LOG (default error)')
    .action(async (file: string, opts: { project?: string; wait?: boolean; allowDuplicate?: boolean; logFormat?: string }) => {
      const { createLogger, formatHistory, loadProject, ProjectRuntime } = await lib();
      const logger = createLogger({ format: opts.logFormat, fallbackLevel: 'error' });
      const project = loadProject(opts.project);
      const runtime = await ProjectRuntime.open(project, { logger });
      try {
        const rec = await runtime.orchestrator.startFile(file, { allowDuplicate: opts.allowDuplicate === true });
        if (rec.status === 'skipped') {
          process.stdout.write(`${rec.id} skipped: the same content was already processed by ${rec.duplicateOf} (use --allow-duplicate to process it again)\n`);
          return;
        }
        process.stdout.write(`started ${rec.id}\n`);
        if (!opts.wait) {
          process.stdout.write('a running `sluice serve` drives it; or run with --wait\n');
          return;
        }
        await runtime.start();
        let seen = 0;
        let told = false;
        for (;;) {
          const events = await runtime.store.events(rec.id, seen);
          if (events.length) process.stdout.write(`${formatHistory(events)}\n`);
          seen = events.at(-1)?.seq ?? seen;
          const cur = await runtime.store.require(rec.id);
          if (cur.status === 'succeeded' || cur.status === 'failed' || cur.status === 'skipped') {
            process.stdout.write(
              `${rec.id} ${cur.status}${cur.outcome ? ` (${cur.outcome})` : ''}${cur.error ? `: ${cur.error.code}: ${cur.error.message}` : ''}\n`,
            );
            if (cur.status === 'failed') process.exitCode = 1;
            return;
          }
          if (cur.status === 'waiting' && cur.current.length && !told) {
            process.stdout.write(
              `waiting at ${cur.current.join(', ')}; decide with \`sluice approve ${rec.id}\` or \`sluice reject ${rec.id} --reason ...\`\n`,
            );
            told = true;
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      } finally {
        await runtime.close();
      }
    });
}
