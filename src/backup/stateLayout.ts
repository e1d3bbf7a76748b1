import { isAbsolute, join, relative, sep } from 'node:path';
import { storesFromConfig } from '../features/featureStoreFromConfig.js';
import type { Project } from '../pipeline/project/loadProject.js';
import { type ObjectStoreConfig, objectStoreBackend } from '../storage/objectStoreBackends.js';

/** A SQLite database holding project state. */
export interface StateDatabase {
  /** `project`: `.sluice/sluice.db` (executions, approvals, users, registries, audit); `online`: a separate SQLite online store. */
  role: 'project' | 'online';
  path: string;
}

/** Folders of state beside the databases that a backup can copy (`--with-artifacts`). */
export type StateArea = 'models' | 'offline' | 'reports';

/** Where a project keeps its state: every database, and the folders and stores beside them. */
export interface StateLayout {
  databases: StateDatabase[];
  areas: Partial<Record<StateArea, string>>;
  archive: string;
  /** A local folder, or where another backend keeps the files (its `describe`: bucket, prefix, endpoint for s3). */
  offline: { type: 'local'; path: string } | ({ type: Exclude<ObjectStoreConfig['type'], 'local'> } & Record<string, string>);
  online: { type: 'sqlite'; path: string | null } | { type: 'redis'; url: string };
}

/**
 * Every state database of a project and the folders and stores beside them, from sluice.yaml.
 * The project database holds executions and their events, approval tokens, users' sessions and
 * API tokens, the audit log, the model and feature registries, the prediction log and (unless
 * `stores.online` names its own file or Redis) the online store.
 */
export function stateLayout(project: Project): StateLayout {
  const { paths } = project;
  const stores = storesFromConfig(paths.root, project.config);
  const onlinePath = stores.online.type === 'sqlite' ? stores.online.path : undefined;
  const offlinePath = stores.offline.type === 'local' ? (stores.offline.root ?? paths.offline) : undefined;
  return {
    databases: [{ role: 'project', path: paths.db }, ...(onlinePath ? [{ role: 'online' as const, path: onlinePath }] : [])],
    areas: { models: paths.models, reports: paths.reports, ...(offlinePath ? { offline: offlinePath } : {}) },
    archive: paths.archive,
    offline:
      stores.offline.type === 'local'
        ? { type: 'local', path: offlinePath! }
        : { ...objectStoreBackend(stores.offline.type)?.describe?.(stores.offline), type: stores.offline.type },
    online:
      stores.online.type === 'sqlite'
        ? { type: 'sqlite', path: onlinePath ?? null }
        : { type: 'redis', url: withoutCredentials(stores.online.url ?? 'redis://127.0.0.1:6379') },
  };
}

/** A path as written in a backup manifest: relative to the project when inside it, else absolute. */
export function projectRelative(root: string, path: string): string {
  const rel = relative(root, path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel.split(sep).join('/');
}

/** A manifest path back to a path of this project. */
export function fromProjectRelative(root: string, path: string): string {
  return isAbsolute(path) ? path : join(root, path);
}

function withoutCredentials(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '(unparsable url)';
  }
}
