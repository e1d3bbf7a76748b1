// Counts the Data Wrangler operators and variants in the corpus of real .flow files and says
// what Sluice makes of each: `node --import tsx scripts/wranglerCensus.ts`. docs/import.md holds
// its output, and test/flow/corpus.test.ts fails when the two differ.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WranglerNode } from '../src/flow/import/ImportNote.js';
import { mapNode } from '../src/flow/import/mapNode.js';
import { isObj, operatorBase, str } from '../src/flow/import/params.js';

export const CORPUS_DIR = 'test/fixtures/wrangler/corpus';

/** The corpus files, sorted by name. */
export function corpusFiles(dir = CORPUS_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.flow'))
    .sort()
    .map((f) => join(dir, f));
}

/** The variant of a node that decides its mapping: the sub-operator, or a sampling method. */
function variant(node: WranglerNode): string {
  const p = node.parameters;
  return str(p, 'operator') ?? str(p, 'sampling_method') ?? '';
}

/**
 * One markdown table row per operator and variant seen in the files' TRANSFORM nodes: how many
 * nodes, in how many files, and the steps the importer makes (or the placeholder it leaves).
 */
export function wranglerCensus(files = corpusFiles()): string {
  const rows = new Map<string, { operator: string; variant: string; nodes: number; files: Set<string>; result: Set<string> }>();
  for (const file of files) {
    const json: unknown = JSON.parse(readFileSync(file, 'utf8'));
    const nodes = isObj(json) && Array.isArray(json.nodes) ? json.nodes : [];
    nodes.forEach((raw, index) => {
      if (!isObj(raw) || raw.type !== 'TRANSFORM') return;
      const node = {
        ...raw,
        parameters: isObj(raw.parameters) ? raw.parameters : {},
        inputs: Array.isArray(raw.inputs) ? raw.inputs : [],
        index,
      } as WranglerNode;
      const operator = operatorBase(node.operator);
      const v = variant(node);
      const key = `${operator}\u0000${v}`;
      const row = rows.get(key) ?? { operator, variant: v, nodes: 0, files: new Set<string>(), result: new Set<string>() };
      row.nodes++;
      row.files.add(file);
      // A second input is a flow input named after its source; any name will do here.
      const { steps } = mapNode(node, undefined, node.inputs.length > 1 ? 'side' : undefined);
      const placeholder = steps.find((s) => s.step.kind === 'todo_custom_code');
      row.result.add(placeholder ? `placeholder (${String(placeholder.step.language)})` : steps.map((s) => `\`${s.step.kind}\``).join(' + ') || 'nothing');
      rows.set(key, row);
    });
  }
  const sorted = [...rows.values()].sort((a, b) => b.nodes - a.nodes || a.operator.localeCompare(b.operator) || a.variant.localeCompare(b.variant));
  const lines = ['| operator | variant | nodes | files | Sluice |', '|---|---|---|---|---|'];
  for (const r of sorted)
    lines.push(`| \`${r.operator.replace(/^sagemaker\.spark\./, '')}\` | ${r.variant} | ${r.nodes} | ${r.files.size} | ${[...r.result].sort().join('; ')} |`);
  const total = sorted.reduce((a, r) => a + r.nodes, 0);
  const open = sorted.filter((r) => [...r.result].some((x) => x.startsWith('placeholder'))).reduce((a, r) => a + r.nodes, 0);
  lines.push('', `${total} transform nodes in ${files.length} files; ${total - open} map to steps, ${open} are placeholders.`);
  return lines.join('\n') + '\n';
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\/scripts\//, '/scripts/'))) {
  process.stdout.write(wranglerCensus());
}
