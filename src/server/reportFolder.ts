import { isSluiceError } from '../core/errors.js';
import type { ProjectRuntime } from '../pipeline/project/ProjectRuntime.js';

/**
 * The local folder of an execution's insights report, fetched (and checked) from
 * `stores.reports` when this machine has no copy; the local path, possibly empty, when no store
 * holds it (a report not written yet).
 */
export async function reportFolder(runtime: Pick<ProjectRuntime, 'stores'>, executionId: string): Promise<string> {
  try {
    return await runtime.stores.reports.fetch([executionId]);
  } catch (e) {
    if (isSluiceError(e) && e.code === 'OBJECT_NOT_FOUND') return runtime.stores.reports.dir([executionId]);
    throw e;
  }
}
