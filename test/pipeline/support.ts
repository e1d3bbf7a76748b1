import { appendFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { openProjectDb } from '../../src/state/openProjectDb.js';
import { sqliteStateDb } from '../../src/state/sqliteStateDb.js';
import { ActivityRegistry } from '../../src/pipeline/activities/ActivityRegistry.js';
import type { ActivityContext } from '../../src/pipeline/activities/Activity.js';
import { Orchestrator, type OrchestratorOptions } from '../../src/pipeline/Orchestrator.js';
import { projectLayout } from '../../src/core/projectLayout.js';
import { ExecutionStore } from '../../src/pipeline/store/ExecutionStore.js';
import { parsePipelineYaml } from '../../src/pipeline/definition/parsePipeline.js';

export async function tempProject() {
  const root = mkdtempSync(join(tmpdir(), 'sluice-pipeline-'));
  const paths = projectLayout(root);
  const db = openProjectDb(paths.db);
  const state = sqliteStateDb(db, { ownsConnection: false });
  const store = await ExecutionStore.open(state);
  return { root, paths, db, state, store };
}

/**
 * The test activity with an observable, idempotent effect: it appends its idempotency key to a
 * file unless the key is already there (so a re-run after a crash adds nothing).
 */
export function effectActivity(file: string) {
  return async (input: Record<string, unknown>, ctx: ActivityContext) => {
    const key = ctx.idempotencyKey;
    const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
    if (!lines.includes(key)) appendFileSync(file, `${key}\n`);
    return { step: ctx.step, attempt: ctx.attempt, input, value: typeof input.value === 'number' ? input.value : 1 };
  };
}

export function effectLines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

export function orchestrator(p: Awaited<Awaited<ReturnType<typeof tempProject>>>, activities: ActivityRegistry, extra: Partial<OrchestratorOptions> = {}) {
  return new Orchestrator({ store: p.store, activities, project: p.paths, logger: pino({ level: 'silent' }), pollMs: 20, ...extra });
}

export const pipeline = (yaml: string) => parsePipelineYaml(yaml);
export { ActivityRegistry };
