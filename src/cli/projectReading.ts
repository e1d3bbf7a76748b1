import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DateOrder } from '../core/dateFormats.js';
import { SluiceError } from '../core/errors.js';

/** How a command outside the pipeline reads data files in a project: its sluice.yaml settings and the flags. */
export interface ProjectReading {
  /** sluice.yaml `missingTokens`, when the project sets them. */
  missingTokens?: string[];
  /** `--date-order`, else sluice.yaml `dateOrder`. */
  dateOrder?: DateOrder;
  /** sluice.yaml `python:`, the python3 for python flow steps (SLUICE_PYTHON wins). */
  python?: string;
  /** sluice.yaml `reportSampleRows` (the report's sample bound; 'all': none). */
  reportSampleRows?: number | 'all';
  /** The sluice.yaml the settings came from, for the console line that says so. */
  from?: string;
}

/**
 * The reading settings of `sluice report` and `sluice train`: the project's `missingTokens` and
 * `dateOrder` when the current folder (or one above it) holds a sluice.yaml, so a file reads the
 * same in these commands as in the pipeline; `--date-order` wins over the project's order.
 *
 * @example
 * const reading = await projectReading({ dateOrder: 'dmy' });
 */
export async function projectReading(flags: { dateOrder?: string }): Promise<ProjectReading> {
  if (flags.dateOrder !== undefined && flags.dateOrder !== 'dmy' && flags.dateOrder !== 'mdy') {
    throw new SluiceError('CLI_USAGE', `--date-order must be dmy or mdy, not "${flags.dateOrder}"`, {
      hint: 'dmy reads 12/06/1998 as 12 June, mdy as 6 December',
    });
  }
  // The project reader (its schemas, the pipeline's) loads only in a project.
  const { CONFIG_FILE, findProjectRoot } = await import('../pipeline/project/findProjectRoot.js');
  let root: string | undefined;
  try {
    root = findProjectRoot();
  } catch {
    root = undefined;
  }
  const config = root && existsSync(join(root, CONFIG_FILE)) ? (await import('../pipeline/project/loadProject.js')).loadProject(root).config : undefined;
  const dateOrder = (flags.dateOrder as DateOrder | undefined) ?? config?.dateOrder;
  return {
    ...(config?.missingTokens ? { missingTokens: config.missingTokens } : {}),
    ...(dateOrder ? { dateOrder } : {}),
    ...(config?.python ? { python: config.python } : {}),
    ...(config?.reportSampleRows !== undefined ? { reportSampleRows: config.reportSampleRows } : {}),
    ...(root && (config?.missingTokens || config?.dateOrder) ? { from: join(root, CONFIG_FILE) } : {}),
  };
}

/** The console line saying which project settings a command reads with (empty when none). */
export function readingNote(r: ProjectReading): string {
  if (!r.from) return '';
  const parts = [r.missingTokens ? `missing tokens ${JSON.stringify(r.missingTokens)}` : '', r.dateOrder ? `date order ${r.dateOrder}` : ''].filter(Boolean);
  return `· reading with ${parts.join(' and ')} from ${r.from}\n`;
}
