import { Command, CommanderError } from 'commander';
import { formatError } from '../core/errors.js';
import { commandsFor } from './commands/index.js';

/**
 * Runs one `sluice` command line (`argv` as in process.argv: node, script, then the arguments)
 * and resolves to its exit code: what `sluice` exits with (src/cli/main.ts) and what the tests
 * that run the built CLI in their own process read (test/support/runCliInProcess.ts). A new
 * program each call, so no option parsed by one run is seen by the next. Commander's own exits
 * (--help, --version, a usage error, after it has written its message) come back as their code
 * instead of ending the process; commands that set process.exitCode are read back.
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = new Command();
  program
    .name('sluice')
    .description('Automated exploratory data analysis and model operationalization with a human in the loop')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of commandsFor(argv.slice(2))) register(program);
  try {
    await program.parseAsync([...argv]);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    process.stderr.write(formatError(e) + '\n');
    if (process.env.SLUICE_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
  return typeof process.exitCode === 'number' ? process.exitCode : Number(process.exitCode ?? 0);
}
