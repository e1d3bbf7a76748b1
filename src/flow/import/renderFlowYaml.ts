import { Document, isMap, isScalar, isSeq, Scalar, visit, type YAMLMap } from 'yaml';
import type { FlowSpec } from '../flowSchema.js';
import type { ImportedStep } from './ImportNote.js';

/**
 * Writes an imported flow as commented YAML: a header (the `.flow` file it came from and what to
 * check), and before each step the Data Wrangler node and operator it was made from, so a reader
 * can go back to the original. Placeholders get a loud TODO comment and their code as a block.
 */
export function renderFlowYaml(flow: FlowSpec, steps: ImportedStep[], header: string[]): string {
  const doc = new Document(flow);
  doc.commentBefore = header.map((l) => (l ? ` ${l}` : '')).join('\n');
  const seq = doc.get('steps', true);
  if (isSeq(seq)) {
    seq.items.forEach((item, i) => {
      const s = steps[i];
      if (!s || !isMap(item)) return;
      const lines = [` Data Wrangler node ${s.node}: ${s.operator}${s.action ? ` (${s.action})` : ''}`];
      if (s.step.kind === 'todo_custom_code') {
        lines.push(' TODO: this placeholder stands for code Sluice cannot run; `sluice flow validate` rejects the');
        lines.push(' flow until you replace it with built-in steps that do the same (see docs/flows.md).');
      }
      item.commentBefore = lines.join('\n');
      blockCode(item);
    });
  }
  // yes/no/on/off are booleans to YAML 1.1 readers (and to people): quote them, as the bias
  // report's label value `no` must stay text.
  visit(doc, {
    // Short lists of names read best on one line: columns: [a, b].
    Seq(_key, node) {
      if (node.items.every((x) => isScalar(x))) node.flow = true;
    },
    Scalar(_key, node) {
      if (typeof node.value === 'string' && /^(y|n|yes|no|on|off|true|false|null|~)$/i.test(node.value)) node.type = Scalar.QUOTE_SINGLE;
    },
  });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/** Multi-line code reads best as a literal block (`code: |`). */
function blockCode(item: YAMLMap): void {
  const code = item.get('code', true);
  if (isScalar(code) && typeof code.value === 'string' && code.value.includes('\n')) code.type = Scalar.BLOCK_LITERAL;
}
