import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importWranglerFlowText } from '../../src/flow/import/importWranglerFlow.js';
import { parseFlow } from '../../src/flow/loadFlow.js';
import { stepDef } from '../../src/flow/steps/index.js';
import { corpusFiles } from '../../scripts/wranglerCensus.js';

/**
 * Issue 15's first "Done when" line, node by node: in every real flow of the corpus, the only
 * placeholders left are the custom PySpark nodes (and custom pandas nodes while Sluice has no
 * `python` step), each one exactly; every built-in operator on the imported chain became steps,
 * joins of the flow with a branch of its own data too (music-join: src/flow/branches.ts).
 */

type RawNode = { node_id: string; operator: string; parameters?: { operator?: string } };

/** The custom code nodes of a file, by kind, read from the file itself (not from the importer). */
function customNodes(file: string): { pyspark: Set<string>; pandas: Set<string> } {
  const nodes = (JSON.parse(readFileSync(file, 'utf8')) as { nodes: RawNode[] }).nodes;
  const kind = (n: RawNode): 'pyspark' | 'pandas' | undefined => {
    const op = n.operator.replace(/_\d+(\.\d+)*$/, '');
    const sub = n.parameters?.operator ?? '';
    if (op === 'sagemaker.spark.custom_pyspark' || (op === 'sagemaker.spark.custom_code' && /pyspark\)/i.test(sub))) return 'pyspark';
    if (op === 'sagemaker.spark.custom_pandas' || (op === 'sagemaker.spark.custom_code' && /pandas|user-defined/i.test(sub))) return 'pandas';
    return undefined;
  };
  return {
    pyspark: new Set(nodes.filter((n) => kind(n) === 'pyspark').map((n) => n.node_id)),
    pandas: new Set(nodes.filter((n) => kind(n) === 'pandas').map((n) => n.node_id)),
  };
}

const hasPythonStep = stepDef('python') !== undefined;

describe('the corpus: placeholders only for custom code', () => {
  const files = corpusFiles();
  it('covers every corpus file', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  for (const file of files) {
    const name = basename(file);
    it(`${name}: the placeholders are exactly its imported PySpark nodes${hasPythonStep ? '' : ' and pandas nodes'}`, () => {
      const r = importWranglerFlowText(readFileSync(file, 'utf8'), { file });
      const { pyspark, pandas } = customNodes(file);
      const imported = new Set(r.nodes.map((s) => s.node));
      const placeholders = r.nodes.filter((s) => s.step.kind === 'todo_custom_code').map((s) => s.node);
      const expected = [...[...pyspark].filter((id) => imported.has(id)), ...(hasPythonStep ? [] : [...pandas].filter((id) => imported.has(id)))];
      expect([...placeholders].sort()).toEqual([...expected].sort());
      // each placeholder keeps its code in the language of its node
      for (const s of r.nodes.filter((x) => x.step.kind === 'todo_custom_code')) {
        const language = String(s.step.language);
        if (pyspark.has(s.node)) expect(language, s.node).toBe('pyspark');
        else expect(['python-pandas', 'python-udf'], s.node).toContain(language);
      }
      // Done when, second part: a flow without PySpark code validates as imported
      const validates = expected.length === 0;
      if (validates) expect(() => parseFlow(r.yaml, `${name}.yaml`)).not.toThrow();
      else expect(() => parseFlow(r.yaml, `${name}.yaml`)).toThrow(/placeholder/);
    });
  }
});
