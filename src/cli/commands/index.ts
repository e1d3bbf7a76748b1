import type { Command } from 'commander';
import { register as api } from './api.js';
import { register as approve } from './approve.js';
import { register as demo } from './demo.js';
import { register as audit } from './audit.js';
import { register as backup } from './backup.js';
import { register as executions } from './executions.js';
import { register as features } from './features.js';
import { register as flow } from './flow.js';
import { register as init } from './init.js';
import { register as models } from './models.js';
import { register as predict } from './predict.js';
import { register as reject } from './reject.js';
import { register as report } from './report.js';
import { register as run } from './run.js';
import { register as serve } from './serve.js';
import { register as tokens } from './tokens.js';
import { register as train } from './train.js';
import { register as users } from './users.js';
import { register as worker } from './worker.js';

/** What a command file exports: adds its command (and its sub-commands) to the program. */
export type RegisterCommand = (program: Command) => void;

/**
 * Every CLI command by the name it registers, in the order `sluice --help` lists them; one line
 * per command file (a file that registers two is listed under both names). A command line that
 * names a command registers its file's alone (building all
 * 19 with their options was about 4 ms of `sluice flow validate`'s start); the whole program (no
 * command, --help, `help`, an unknown name) registers every one.
 */
export const COMMANDS: Readonly<Record<string, RegisterCommand>> = {
  init,
  flow,
  report,
  train,
  predict,
  features,
  models,
  run,
  executions,
  approve,
  reject,
  serve,
  worker,
  demo,
  users,
  tokens,
  api,
  audit,
  backup,
  restore: backup,
};

/** The registrations a command line needs (`args` after node and the script): its command's alone when it names one, else every one. */
export function commandsFor(args: readonly string[]): RegisterCommand[] {
  const first = args[0];
  return first !== undefined && Object.hasOwn(COMMANDS, first) ? [COMMANDS[first]!] : [...new Set(Object.values(COMMANDS))];
}
