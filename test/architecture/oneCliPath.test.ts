import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const TEST = join(import.meta.dirname, '..');
const OWNER = join(TEST, 'support', 'sluiceBin.ts');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? (e.name === 'fixtures' ? [] : files(join(dir, e.name))) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The file without its line comments (a comment may name the path). */
function code(file: string): string {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => !/^\s*(\/\/|\*|\/\*\*)/.test(l))
    .join('\n');
}

describe('one owner for the path of the built CLI', () => {
  it('only test/support/sluiceBin.ts spells out bin/sluice.js in code; every other test imports SLUICE_BIN', () => {
    const spelled = /['"`]bin\/sluice\.js['"`]|['"`]bin['"`]\s*,\s*['"`]sluice\.js['"`]/;
    const offenders = files(TEST)
      .filter((f) => f !== OWNER && spelled.test(code(f)))
      .map((f) => relative(TEST, f));
    expect(offenders).toEqual([]);
  });
});
