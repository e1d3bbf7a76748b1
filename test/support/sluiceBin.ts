import { resolve } from 'node:path';

/**
 * The real `sluice` command as tests run it: `node bin/sluice.js`, over the compiled dist/ that
 * the test setup builds from the current sources (test/setup/systemDeps.ts). It starts in about
 * a third of the time of running the sources through tsx.
 */
export const SLUICE_BIN = resolve('bin/sluice.js');

/**
 * The built CLI's runner (src/cli/runCli.ts compiled), which test/support/runCliInProcess.ts
 * imports to run a command line inside the test's own process: the code `sluice` runs, without
 * a process start per command.
 */
export const SLUICE_RUN_CLI = resolve('dist/cli/runCli.js');

/** Arguments for `spawn(process.execPath, sluiceArgs(...))`. */
export function sluiceArgs(args: readonly string[]): string[] {
  return [SLUICE_BIN, ...args];
}
