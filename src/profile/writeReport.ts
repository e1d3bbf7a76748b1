import { join } from 'node:path';
import { SluiceError } from '../core/errors.js';
import { atomicWriteFile } from '../engine/atomicWriteFile.js';
import { renderReportHtml } from './html/renderReportHtml.js';
import { reportSchema, type Report } from './reportSchema.js';

/**
 * Validates a report against the schema and writes `dir/report.json` and `dir/report.html`,
 * each atomically (temporary file, then rename). A report that breaks its own schema is a bug
 * and is not written.
 */
export async function writeReport(report: Report, dir: string): Promise<{ json: string; html: string }> {
  const check = reportSchema.safeParse(report);
  if (!check.success) {
    throw new SluiceError(
      'REPORT_INVALID',
      `the report does not match its schema: ${check.error.issues[0]?.path.join('.')}: ${check.error.issues[0]?.message}`,
      { httpStatus: 500, details: check.error.issues.slice(0, 5) },
    );
  }
  const json = join(dir, 'report.json');
  const html = join(dir, 'report.html');
  await atomicWriteFile(json, JSON.stringify(report, null, 2) + '\n');
  await atomicWriteFile(html, renderReportHtml(report));
  return { json, html };
}
