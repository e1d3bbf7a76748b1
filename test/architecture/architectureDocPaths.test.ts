import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * Every file and folder docs/architecture.md names (in backticks, before its history section
 * "Changes made while building", which records what was removed) exists in the repository. A
 * name may be given from any folder down (`definition/wirePipeline.ts`, `consoleLayout.ts`).
 */
describe('docs/architecture.md', () => {
  const doc = readFileSync('docs/architecture.md', 'utf8').split(/^## Changes made while building/m)[0]!;
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  const folders = new Set(
    files.flatMap((f) =>
      f
        .split('/')
        .slice(0, -1)
        .map((_, i, parts) => parts.slice(0, i + 1).join('/')),
    ),
  );
  // Files Sluice writes (the artifact's, the project's) are named where their names are spelled.
  const spelled = ['src/artifact/artifactFiles.ts', 'src/core/projectLayout.ts'].map((f) => readFileSync(f, 'utf8')).join('\n');
  const exists = (name: string): boolean => {
    const n = name.replace(/\/$/, '');
    return files.some((f) => f === n || f.endsWith(`/${n}`)) || [...folders].some((d) => d === n || d.endsWith(`/${n}`)) || spelled.includes(`'${n}'`);
  };

  it('names only files and folders that exist', () => {
    const named = new Set<string>();
    for (const m of doc.matchAll(/`([^`\s]+)`/g)) {
      const t = m[1]!;
      if (/[<>*:{}()$,=]/.test(t) || t.startsWith('.') || t.startsWith('-')) continue; // patterns, commands, options
      if (/\.(ts|md|json|yaml|js|sh)$/.test(t) || /^(src|test|docs|scripts|bench)\//.test(t) || /^[a-z]+\/$/.test(t)) named.add(t);
    }
    expect(named.size).toBeGreaterThan(40);
    expect([...named].filter((n) => !exists(n))).toEqual([]);
  });
});
