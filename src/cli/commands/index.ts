import type { Command } from 'commander';
import { register as features } from './features.js';
import { register as flow } from './flow.js';
import { register as models } from './models.js';
import { register as predict } from './predict.js';
import { register as report } from './report.js';
import { register as train } from './train.js';

/** Every CLI command registers itself on the program; one line per command file. */
export const commands: Array<(program: Command) => void> = [flow, report, features, models, train, predict];
