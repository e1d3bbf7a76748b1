import type { ImportedStep } from './ImportNote.js';
import { operatorBase } from './params.js';

/**
 * The import as a table, one row per Data Wrangler node (node, operator, the steps it became or
 * PLACEHOLDER), and a coverage line: "31 of 33 transforms mapped; 2 custom PySpark nodes need
 * replacing".
 */
export function importTable(steps: ImportedStep[]): { rows: string[][]; coverage: string } {
  const byNode = new Map<string, ImportedStep[]>();
  for (const s of steps) byNode.set(s.node, [...(byNode.get(s.node) ?? []), s]);
  const rows: string[][] = [];
  const open = new Map<string, number>();
  for (const [node, list] of byNode) {
    const first = list[0]!;
    const operator = `${operatorBase(first.operator).replace(/^sagemaker\.spark\./, '')}${first.action ? `: ${first.action}` : ''}`;
    const placeholder = list.find((s) => s.step.kind === 'todo_custom_code');
    if (placeholder) {
      const language = String(placeholder.step.language);
      open.set(language, (open.get(language) ?? 0) + 1);
    }
    rows.push([node.slice(0, 8), operator, placeholder ? `PLACEHOLDER (${placeholder.step.language})` : list.map((s) => s.step.kind).join(', ')]);
  }
  const mapped = byNode.size - [...open.values()].reduce((a, b) => a + b, 0);
  const LABEL: Record<string, string> = {
    pyspark: 'custom PySpark',
    'spark-sql': 'custom SQL',
    'data-wrangler': 'unmapped',
    'python-pandas': 'custom pandas',
    'python-udf': 'custom Python UDF',
  };
  const rest = [...open].map(([lang, n]) => `${n} ${LABEL[lang] ?? lang} node${n > 1 ? 's' : ''} need${n > 1 ? '' : 's'} replacing`);
  return { rows, coverage: `${mapped} of ${byNode.size} transforms mapped${rest.length ? `; ${rest.join(', ')}` : ''}` };
}
