import { existsSync } from 'node:fs';
import { isAbsolute, relative, sep } from 'node:path';
import type { ProjectStores } from '../../storage/projectStores.js';
import type { FolderStore } from '../../storage/FolderStore.js';
import { type Activity, stepDir } from './Activity.js';
import { ActivityRegistry } from './ActivityRegistry.js';

/**
 * The activities of `reg`, each run so that its files are where any worker can read them
 * (`stores.batches`, `stores.archive`, `stores.reports`): before it runs, every file its input
 * and the execution input name under those folders is fetched when this machine lacks it (and an
 * archived input taken here is published); after it succeeds, the folder of its step and any
 * report folder its result names are published. With local stores (the embedded default) this
 * changes nothing. Model versions are published by `register_model` itself.
 */
export function shareFolders(reg: ActivityRegistry, stores: ProjectStores): ActivityRegistry {
  const out = new ActivityRegistry();
  if (![stores.batches, stores.archive, stores.reports, stores.artifacts].some((s) => s.remote)) {
    for (const name of reg.names()) out.register(name, reg.get(name));
    return out;
  }
  for (const name of reg.names()) {
    const activity = reg.get(name);
    const shared: Activity = async (input, ctx) => {
      await fetchFolders(stores, [input, ctx.execution.input]);
      const result = await activity(input, { ...ctx, stores });
      const step = stepDir(ctx);
      if (existsSync(step)) await stores.batches.publish(stepParts(step, stores.batches));
      for (const parts of foldersNamed(stores.reports, result, 1)) await stores.reports.publish(parts);
      return result;
    };
    out.register(name, shared);
  }
  return out;
}

/** Fetches (or, for a taken input, publishes) the folders that the paths in `values` lie in. */
export async function fetchFolders(stores: ProjectStores, values: unknown): Promise<void> {
  for (const parts of foldersNamed(stores.archive, values, 1)) {
    await stores.archive.ensurePublished(parts);
    await stores.archive.fetch(parts);
  }
  for (const parts of foldersNamed(stores.batches, values, 2)) await stores.batches.fetch(parts);
  for (const parts of foldersNamed(stores.reports, values, 1)) await stores.reports.fetch(parts);
}

/** The folders (`depth` names under the store's root: `<execution>`, `<execution>/<step>`) that the absolute paths among `values` lie in. */
function foldersNamed(store: FolderStore, values: unknown, depth: number): string[][] {
  if (!store.remote) return [];
  const found = new Map<string, string[]>();
  const visit = (v: unknown): void => {
    if (typeof v === 'string') {
      if (!isAbsolute(v)) return;
      const rel = relative(store.root, v);
      if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return;
      const parts = rel.split(sep).slice(0, depth);
      if (parts.length === depth) found.set(parts.join('/'), parts);
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') Object.values(v).forEach(visit);
  };
  visit(values);
  return [...found.values()];
}

/** The `<execution>/<step>` names of a step's folder under the batches store. */
function stepParts(dir: string, store: FolderStore): string[] {
  return relative(store.root, dir).split(sep);
}
