import { isAbsolute, join, resolve } from 'node:path';
import type { ProjectLayout } from '../core/projectLayout.js';
import { createObjectStore } from './createObjectStore.js';
import { FolderStore } from './FolderStore.js';
import type { StoreEntry } from './ObjectStoreBackend.js';
import { objectStoreSettings } from './objectStoreSettings.js';

/** The kinds of immutable folders a project writes, by their `stores.<kind>` setting. */
export const FOLDER_KINDS = ['artifacts', 'reports', 'archive', 'batches'] as const;
export type FolderKind = (typeof FOLDER_KINDS)[number];

/** Where each kind lives: the project's local folder (embedded default) or a bucket. */
export type ProjectStores = Record<FolderKind, FolderStore> & { close(): Promise<void> };

/** The local folder of each kind (src/core/projectLayout.ts): the store itself when local, its verified cache otherwise. */
const LOCAL: Record<FolderKind, (l: Pick<ProjectLayout, 'models' | 'reports' | 'archive' | 'batches'>) => string> = {
  artifacts: (l) => l.models,
  reports: (l) => l.reports,
  archive: (l) => l.archive,
  batches: (l) => l.batches,
};

/**
 * The folder stores sluice.yaml's `stores.artifacts`, `stores.reports`, `stores.archive` and
 * `stores.batches` name (absent: the local folders of the layout, as before). Settings are
 * checked here, each mistake at its path; no connection is made until a folder is read or
 * written. Close the result when done (it ends the S3 clients).
 *
 * @example
 * const stores = projectStores(project.paths, project.config.stores);
 * await stores.reports.publish([executionId]);
 */
export function projectStores(
  layout: Pick<ProjectLayout, 'root' | 'stateDir' | 'models' | 'reports' | 'archive' | 'batches'>,
  settings: Partial<Record<FolderKind, StoreEntry | undefined>> | undefined = {},
): ProjectStores {
  const at = (p: string) => (isAbsolute(p) ? p : resolve(layout.root, p));
  const make = (kind: FolderKind): FolderStore => {
    const setting = `stores.${kind}`;
    const root = LOCAL[kind](layout);
    const entry = settings?.[kind];
    // `{type: local, path}` naming the project's own folder says what is true (earlier sluice.yaml examples wrote it); any other path is refused.
    const same = entry?.type === 'local' && entry.path !== undefined && at(entry.path) === root;
    const config = objectStoreSettings(setting, same ? { type: 'local' } : entry, { at, localPath: false, defaultPrefix: kind });
    return new FolderStore(createObjectStore(config, { defaultRoot: root, cacheDir: join(layout.stateDir, 'cache', kind), field: setting }), root, setting);
  };
  const stores = { artifacts: make('artifacts'), reports: make('reports'), archive: make('archive'), batches: make('batches') };
  return {
    ...stores,
    close: async () => {
      await Promise.all(Object.values(stores).map((s) => s.close()));
    },
  };
}
