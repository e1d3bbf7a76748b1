import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * docs/architecture.md's module table says which modules each module may import ("all above"
 * means every module listed before it). This test reads that table and every import in src/,
 * so the document and the code cannot drift apart, and no import runs back up.
 */
function moduleTable(): Map<string, Set<string>> {
  const doc = readFileSync('docs/architecture.md', 'utf8');
  const rows = [...doc.matchAll(/^\| `([a-z]+)\/` \| [^\n]*? \| ([^|\n]+) \|$/gm)];
  const allowed = new Map<string, Set<string>>();
  const seen: string[] = [];
  for (const [, name, may] of rows) {
    const text = may!.trim();
    const set =
      text === 'all above'
        ? new Set(seen)
        : text === 'nothing else'
          ? new Set<string>()
          : new Set(text.split(',').map((s) => s.trim().replace(/ \(.*\)$/, '')));
    allowed.set(name!, set);
    seen.push(name!);
  }
  return allowed;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The files of src/ each file imports: static, dynamic and type-only imports, re-exports too. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles('src')) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)].map((m) => join(file, '..', m[1]!.replace(/\.js$/, '.ts')));
    graph.set(
      file,
      targets.filter((t) => existsSync(t)),
    );
  }
  return graph;
}

/** The import circles of a graph: each strongly connected component of more than one file (or a file importing itself), sorted. */
function importCircles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v)?.includes(v)) circles.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return circles;
}

describe('module layering (docs/architecture.md)', () => {
  const table = moduleTable();

  it('the table names every folder of src/', () => {
    const folders = readdirSync('src', { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    expect([...table.keys()].sort()).toEqual(folders);
  });

  it('every import of another module is one the table allows', () => {
    const wrong: string[] = [];
    for (const file of sourceFiles('src')) {
      const own = file.split('/')[1]!;
      const text = readFileSync(file, 'utf8');
      // static and dynamic imports, type-only ones included (they tie the modules together too)
      for (const m of text.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)) {
        const target = join(file, '..', m[1]!).split('/');
        if (target[0] !== 'src' || target.length < 3) continue;
        const other = target[1]!;
        if (other !== own && !table.get(own)?.has(other)) wrong.push(`${file} imports ${other}/ (${m[1]})`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('no import circles in src/', () => {
  it('finds a circle when there is one (the check can fail)', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
      ['e.ts', ['e.ts']],
    ]);
    expect(importCircles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts'], ['e.ts']]);
  });

  it('no file reaches itself through its imports (shared types live in files of their own)', () => {
    const graph = importGraph();
    expect(graph.size).toBeGreaterThan(300);
    expect(importCircles(graph)).toEqual([]);
  });
});
