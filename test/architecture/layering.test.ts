import { readdirSync, readFileSync } from 'node:fs';
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
