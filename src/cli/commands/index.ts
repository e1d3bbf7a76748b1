import type { Command } from 'commander';

/** Every CLI command registers itself on the program; one line per command file. */
export const commands: Array<(program: Command) => void> = [];
import { register as registerReport } from './report.js';
commands.push(registerReport);
