import { isAbsolute, join, resolve } from 'node:path';
import { SluiceError } from './errors.js';
import { DEFAULT_STATE_DIR } from './stateDir.js';

/**
 * The folders and files inside a state folder (`.sluice/` by default). The one place that
 * spells their names: every module that reads or writes state takes its paths from here.
 */
export interface StateFolders {
  stateDir: string;
  /** SQLite (WAL): executions, events, approvals, registries, the online store. */
  db: string;
  /** `reports/<execution>/`: report.json, report.html, summary.json. */
  reports: string;
  /** `models/<name>/<version>/`: registered model artifacts. */
  models: string;
  /** `batches/<execution>/<step>/`: the files each pipeline step writes. */
  batches: string;
  /** `offline/<group>/`: the Parquet history of each feature group (local offline store). */
  offline: string;
  /** `cache/offline/`: local copies of remote offline-store files. */
  offlineCache: string;
}

/** Where a project keeps things on disk (docs/architecture.md, "A Sluice project on disk"). */
export interface ProjectLayout extends StateFolders {
  root: string;
  /** The watched folder new data files arrive in. */
  inbox: string;
  /** `archive/<execution>/`: each taken file, kept under its execution. */
  archive: string;
  flows: string;
}

/** The files and folders of a state folder (already resolved). */
export function stateFolders(stateDir: string): StateFolders {
  return {
    stateDir,
    db: join(stateDir, 'sluice.db'),
    reports: join(stateDir, 'reports'),
    models: join(stateDir, 'models'),
    batches: join(stateDir, 'batches'),
    offline: join(stateDir, 'offline'),
    offlineCache: join(stateDir, 'cache', 'offline'),
  };
}

/**
 * A project's folders from its root and sluice.yaml's `stateDir`, `inbox` and `archive`:
 * relative settings are relative to the root; absolute ones are taken as they are (a state
 * folder on another disk). Paths built from names (executions, steps, models) go through
 * {@link inside}, so no name can lead out of its folder.
 *
 * @example
 * const layout = projectLayout('.', { stateDir: config.stateDir });
 * reportDir(layout, executionId) // <root>/.sluice/reports/<executionId>
 */
export function projectLayout(
  root: string,
  settings: { stateDir?: string | undefined; inbox?: string | undefined; archive?: string | undefined } = {},
): ProjectLayout {
  const r = resolve(root);
  return {
    root: r,
    ...stateFolders(resolveIn(r, settings.stateDir ?? DEFAULT_STATE_DIR)),
    inbox: resolveIn(r, settings.inbox ?? 'inbox'),
    archive: resolveIn(r, settings.archive ?? 'archive'),
    flows: join(r, 'flows'),
  };
}

/** The state folder of a project (sluice.yaml `stateDir`, default `.sluice`), resolved against its root. */
export function stateDirOf(root: string, stateDir: string | undefined): string {
  return resolveIn(resolve(root), stateDir ?? DEFAULT_STATE_DIR);
}

/** A setting's path: absolute as given, else relative to `root`. */
export function resolveIn(root: string, path: string): string {
  return isAbsolute(path) ? path : resolve(root, path);
}

/** `<reports>/<execution>/`: an execution's insights report. */
export function reportDir(layout: Pick<StateFolders, 'reports'>, executionId: string): string {
  return inside(layout.reports, executionId);
}

/** `<batches>/<execution>/<step>/`: the files a pipeline step writes (the step name made path-safe: `build/train` is `build_train`). */
export function batchDir(layout: Pick<StateFolders, 'batches'>, executionId: string, step: string): string {
  return inside(layout.batches, executionId, step.replace(/[^A-Za-z0-9_-]/g, '_'));
}

/** `<archive>/<execution>/`: where a taken input file is kept. */
export function archiveDir(layout: Pick<ProjectLayout, 'archive'>, executionId: string): string {
  return inside(layout.archive, executionId);
}

/** `<models>/<name>/`, or `<models>/<name>/<version>/`: a registered model's folders. */
export function modelDir(layout: Pick<StateFolders, 'models'>, name: string, version?: number | string): string {
  return version === undefined ? inside(layout.models, name) : inside(layout.models, name, String(version));
}

/**
 * `base/part/...`, refusing a part that would leave `base` or name another level: empty, `.`,
 * `..`, or holding a path separator or NUL. Names come from ids and settings, never trusted.
 */
export function inside(base: string, ...parts: string[]): string {
  for (const p of parts) {
    if (p === '' || p === '.' || p === '..' || /[/\\\0]/.test(p)) {
      throw new SluiceError('PATH_OUTSIDE_PROJECT', `"${p.slice(0, 200)}" is not a plain name: it cannot be a folder under ${base}`, {
        location: { file: base },
        hint: 'use a name without "/", "\\" or "..", such as an execution id or a model name',
      });
    }
  }
  return join(base, ...parts);
}
