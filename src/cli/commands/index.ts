import type { Command } from 'commander';
import { register as features } from './features.js';
import { register as flow } from './flow.js';

/** Every CLI command registers itself on the program; one line per command file. */
export const commands: Array<(program: Command) => void> = [
  flow,
  features,
];
