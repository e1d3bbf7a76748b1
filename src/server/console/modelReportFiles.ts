import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import type { ModelVersion } from '../../models/types.js';
import type { ProjectRuntime } from '../../pipeline/project/ProjectRuntime.js';
import { TRAIN_FILES } from '../../training/trainFiles.js';

const MODEL_REPORT_HTML = TRAIN_FILES.reportHtml;
const MODEL_REPORT_JSON = TRAIN_FILES.reportJson;

/**
 * Where a version's model report is: beside the model in its artifact folder, or (for versions
 * the pipeline registered) where the `train` step of its training execution wrote it, as that
 * step's recorded output says. Only files inside the project's state folder are returned.
 */
export async function modelReportFiles(runtime: ProjectRuntime, v: ModelVersion): Promise<{ html?: string | undefined; json?: string | undefined }> {
  const beside = join(v.artifactPath, MODEL_REPORT_HTML);
  if (existsSync(beside)) return { html: beside, json: existing(join(v.artifactPath, MODEL_REPORT_JSON)) };
  const executionId = v.lineage.trainingBatch?.executionId;
  if (!executionId || !(await runtime.store.get(executionId))) return {};
  for (const e of await runtime.store.events(executionId)) {
    if (e.type !== 'ActivitySucceeded') continue;
    const html = (e.data.output as { reportHtml?: unknown } | null | undefined)?.reportHtml;
    // The report step records a `reportHtml` too (the insights report): only a model report counts.
    if (typeof html !== 'string' || basename(html) !== MODEL_REPORT_HTML || !inside(runtime.project.paths.stateDir, html) || !existsSync(html)) continue;
    return { html, json: existing(join(dirname(html), MODEL_REPORT_JSON)) };
  }
  return {};
}

function existing(p: string): string | undefined {
  return existsSync(p) ? p : undefined;
}

function inside(dir: string, p: string): boolean {
  const r = relative(dir, p);
  return r !== '' && !r.startsWith('..') && !isAbsolute(r);
}
