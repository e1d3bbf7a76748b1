import type { Command } from 'commander';
import { SluiceError } from '../../core/errors.js';

/** `sluice demo`: the main job in one command (docs/demo.md). */
export function register(program: Command): void {
  program
    .command('demo')
    .description('the whole job in one command: a demo project, a batch approved in the browser, a model trained and served, a drifted batch rejected')
    .option('--dir <dir>', 'folder of the demo project (created, or reused when an earlier demo made it)', './sluice-demo')
    .option('--auto-approve', 'decide without a person: approve the clean batch, reject the drifted one (recorded as "demo --auto-approve"), then exit')
    .option('--port <port>', 'listen port on 127.0.0.1 (0: any free port)', '7300')
    .option('--no-drift', 'stop after the clean batch (do not drop the drifted one)')
    .option('--time-limit <seconds>', 'seconds of AutoML search per batch (default 20)')
    .action(async (o: { dir: string; autoApprove?: boolean; port: string; drift: boolean; timeLimit?: string }) => {
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new SluiceError('CLI_USAGE', `--port must be an integer from 0 to 65535, not "${o.port}"`, {
          hint: 'e.g. --port 7300, or --port 0 for any free port',
        });
      }
      const timeLimit = o.timeLimit === undefined ? undefined : Number(o.timeLimit);
      if (timeLimit !== undefined && !(Number.isFinite(timeLimit) && timeLimit > 0)) {
        throw new SluiceError('CLI_USAGE', `--time-limit must be a number of seconds above 0, not "${o.timeLimit}"`, {
          hint: 'e.g. --time-limit 20 (the default); a shorter search trains a simpler model sooner',
        });
      }
      const { runDemo } = await import('../../demo/runDemo.js');
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const code = await runDemo({
        dir: o.dir,
        autoApprove: o.autoApprove === true,
        port,
        drift: o.drift,
        ...(timeLimit === undefined ? {} : { timeLimit }),
        out: (line) => process.stdout.write(`${line}\n`),
        signal: stop.signal,
      });
      // Worker threads of the model endpoint and DuckDB may hold the loop open: everything the
      // demo opened is closed by now, so leave.
      process.exit(code);
    });
}
