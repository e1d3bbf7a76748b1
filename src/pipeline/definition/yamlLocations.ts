import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { SluiceError } from '../../core/errors.js';

/** A parsed YAML document that can say on which line a key path sits. */
export interface LocatedYaml {
  value: unknown;
  /** 1-based line and column of the node at `path` (or of its closest existing parent). */
  locate(path: ReadonlyArray<PropertyKey>): { line: number; column: number } | undefined;
}

/**
 * Parses YAML keeping node positions, so schema errors can name the line of the offending key.
 * A syntax error becomes a SluiceError `YAML_SYNTAX` with the line and column of the problem.
 */
export function parseLocatedYaml(text: string, file?: string): LocatedYaml {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const pos = lineCounter.linePos(first.pos[0]);
    throw new SluiceError('YAML_SYNTAX', `${file ?? 'YAML'} is not valid YAML: ${first.message.split('\n')[0]}`, {
      location: { ...(file ? { file } : {}), line: pos.line, column: pos.col },
      hint: 'check the indentation and the quoting around this line',
    });
  }
  return {
    value: doc.toJS(),
    locate(path) {
      for (let n = path.length; n >= 0; n--) {
        const node = doc.getIn(path.slice(0, n) as unknown[], true);
        if (isNode(node) && node.range) {
          // For a key path, point at the key rather than the value when we can find the pair.
          const pos = lineCounter.linePos(keyOffset(doc, path.slice(0, n)) ?? node.range[0]);
          return { line: pos.line, column: pos.col };
        }
      }
      return undefined;
    },
  };
}

function keyOffset(doc: Document, path: ReadonlyArray<PropertyKey>): number | undefined {
  if (path.length === 0) return undefined;
  const parent = doc.getIn(path.slice(0, -1) as unknown[], true) as { items?: Array<{ key?: unknown }> } | undefined;
  const last = path[path.length - 1];
  for (const item of parent?.items ?? []) {
    const key = item.key as { value?: unknown; range?: [number, number, number] } | undefined;
    if (key && key.value === last && key.range) return key.range[0];
  }
  return undefined;
}
