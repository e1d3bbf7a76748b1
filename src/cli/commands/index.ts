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

/** Every CLI command registers itself on the program; one line per command file. */
export const commands: Array<(program: Command) => void> = [
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
];
