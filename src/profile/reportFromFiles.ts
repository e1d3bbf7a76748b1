import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { SluiceError } from '../core/errors.js';
import { Engine } from '../engine/Engine.js';
import type { DateOrder } from '../core/dateFormats.js';
import { missingPolicy } from '../core/missing.js';
import { readTable } from '../engine/readTable.js';
import { parseGatesFile } from './gates.js';
import type { ProfileOptions } from './profileTable.js';
import type { Report } from './reportSchema.js';

export interface ReportFromFilesOptions extends Omit<ProfileOptions, 'baseline' | 'gates' | 'sourceName' | 'baselineName'> {
  /** Data file to measure drift against (e.g. the last approved batch). */
  baselinePath?: string;
  /** YAML gates file. */
  gatesPath?: string;
  /** Output folder for report.json and report.html. */
  outDir: string;
  /** The project's missing tokens (sluice.yaml `missingTokens`); pandas' defaults when absent. */
  missingTokens?: readonly string[];
  /** The stated day/month order of dates such as `12/06/1998` (sluice.yaml `dateOrder`). */
  dateOrder?: DateOrder;
}

/**
 * The whole job behind `sluice report`: read the data (and baseline, and gates), profile, and
 * write report.json + report.html atomically. The gates file is read first, so a typo in it
 * fails before any data is read.
 *
 * @example
 * const { report } = await reportFromFiles('batch.csv', { target: 'readmitted', outDir: 'out' });
 */
export async function reportFromFiles(dataPath: string, options: ReportFromFilesOptions): Promise<{ report: Report; json: string; html: string }> {
  const { baselinePath, gatesPath, outDir, missingTokens, dateOrder, ...profileOptions } = options;
  const reading = { missing: missingPolicy(missingTokens), recognise: dateOrder ? { dateOrder } : {} };
  const gates = gatesPath ? parseGatesFile(await readGates(gatesPath), gatesPath) : undefined;
  // DuckDB spills to disk beyond this, which keeps the whole process under ~2 GB on large files.
  const engine = await Engine.open({ memoryLimit: '1GB' });
  // The profile's and the writer's modules (the learners, the HTML, the schema) load while
  // DuckDB reads the file, when this thread is otherwise idle, not before the read starts.
  const modules = Promise.all([import('./profileTable.js'), import('./writeReport.js')]);
  modules.catch(() => {});
  try {
    options.onProgress?.(`reading ${basename(dataPath)}`);
    await readTable(engine, dataPath, { name: 'data', ...reading });
    if (baselinePath) {
      options.onProgress?.(`reading baseline ${basename(baselinePath)}`);
      await readTable(engine, baselinePath, { name: 'baseline', ...reading });
    }
    const [{ profileTable }, { writeReport }] = await modules;
    const report = await profileTable(engine, 'data', {
      ...profileOptions,
      sourceName: basename(dataPath),
      ...(baselinePath ? { baseline: 'baseline', baselineName: basename(baselinePath) } : {}),
      ...(gates ? { gates } : {}),
    });
    options.onProgress?.('writing report');
    const files = await writeReport(report, outDir);
    return { report, ...files };
  } finally {
    engine.close();
  }
}

async function readGates(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new SluiceError(
      'FILE_NOT_FOUND',
      `cannot read the gates file ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
      {
        location: { file: path },
        hint: 'check the path given to --gates',
      },
    );
  }
}
