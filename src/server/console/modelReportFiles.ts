import { existsSync } from 'node:fs';
import { basename, join, sep } from 'node:path';
import { isSluiceError } from '../../core/errors.js';
import type { ModelVersion } from '../../models/types.js';
import { versionArtifact } from '../../models/versionArtifact.js';
import type { ProjectRuntime } from '../../pipeline/project/ProjectRuntime.js';
import { TRAIN_FILES } from '../../training/trainFiles.js';

const MODEL_REPORT_HTML = TRAIN_FILES.reportHtml;
const MODEL_REPORT_JSON = TRAIN_FILES.reportJson;

type Runtime = Pick<ProjectRuntime, 'store' | 'stores'>;

/**
 * Where a version's model report is on this machine: beside the model in its artifact folder,
 * or (for versions the pipeline registered) in the folder of the `train` step of its training
 * execution, as that step's recorded output says. With `stores.artifacts` / `stores.batches` in a
 * bucket, a folder this machine lacks is fetched and checked first (FolderStore.fetch), so a
 * replica or a second machine shows the reports another one wrote. Only files under the
 * project's own folders are returned; a folder no store holds means no report.
 */
export async function modelReportFiles(runtime: Runtime, v: ModelVersion): Promise<{ html?: string | undefined; json?: string | undefined }> {
  const artifact = await orNone(versionArtifact(runtime.stores.artifacts, v));
  if (artifact && existsSync(join(artifact, MODEL_REPORT_HTML))) {
    return { html: join(artifact, MODEL_REPORT_HTML), json: existing(join(artifact, MODEL_REPORT_JSON)) };
  }
  const executionId = v.lineage.trainingBatch?.executionId;
  if (!executionId || !(await runtime.store.get(executionId))) return {};
  for (const e of await runtime.store.events(executionId)) {
    if (e.type !== 'ActivitySucceeded') continue;
    const html = (e.data.output as { reportHtml?: unknown } | null | undefined)?.reportHtml;
    // The report step records a `reportHtml` too (the insights report): only a model report counts.
    if (typeof html !== 'string' || basename(html) !== MODEL_REPORT_HTML) continue;
    // The recorded path is the writing machine's: what counts is its place under <execution>/<step>/.
    const parts = html.split(/[\\/]/);
    const at = parts.lastIndexOf(executionId);
    if (at < 0 || parts.length < at + 3) continue;
    const step = parts[at + 1]!;
    const folder = await orNone(runtime.stores.batches.fetch([executionId, step]));
    if (!folder) continue;
    const file = join(folder, ...parts.slice(at + 2));
    if (!file.startsWith(folder + sep) || !existsSync(file)) continue;
    return { html: file, json: existing(join(file, '..', MODEL_REPORT_JSON)) };
  }
  return {};
}

/** A folder no store holds (OBJECT_NOT_FOUND, e.g. a version registered before the stores were shared) is no report, not an error. */
async function orNone(p: Promise<string>): Promise<string | undefined> {
  try {
    return await p;
  } catch (e) {
    if (isSluiceError(e) && e.code === 'OBJECT_NOT_FOUND') return undefined;
    throw e;
  }
}

function existing(p: string): string | undefined {
  return existsSync(p) ? p : undefined;
}
