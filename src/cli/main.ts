import { Command } from 'commander';
import { formatError } from '../core/errors.js';
import { commands } from './commands/index.js';

// `sluice ... | head` closes the pipe early: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

const program = new Command();
program
  .name('sluice')
  .description('Automated exploratory data analysis and model operationalization with a human in the loop')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)');

for (const register of commands) register(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  process.stderr.write(formatError(e) + '\n');
  if (process.env.SLUICE_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  process.exitCode = 1;
}
