import { Command } from 'commander';
import { formatError } from '../core/errors.js';

const program = new Command();
program
  .name('sluice')
  .description('Automated exploratory data analysis and model operationalization with a human in the loop')
  .version('0.1.0');

try {
  await program.parseAsync(process.argv);
} catch (e) {
  process.stderr.write(formatError(e) + '\n');
  process.exitCode = 1;
}
