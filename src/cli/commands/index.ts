import type { Command } from 'commander';
import { register as flow } from './flow.js';
import { register as models } from './models.js';

/** Every CLI command registers itself on the program; one line per command file. */
export const commands: Array<(program: Command) => void> = [
  flow,
  models,
];
