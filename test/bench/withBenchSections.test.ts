import { describe, expect, it } from 'vitest';
import { withBenchSections } from '../../bench/withBenchSections.js';

const DOC = '# Benchmarks\n\nNotes measured by hand, kept.\n';

describe('withBenchSections (npm run bench writing docs/benchmarks.md)', () => {
  it('appends a part seen for the first time under "Latest runs", keeping the notes', () => {
    const out = withBenchSections(DOC, new Map([['startup', '### Start-up\n\n| a | 1 |']]));
    expect(out.startsWith(DOC.trimEnd())).toBe(true);
    expect(out).toContain('## Latest runs');
    expect(out).toMatch(/<!-- bench:startup begin \(written by npm run bench\) -->\n### Start-up\n\n\| a \| 1 \|\n<!-- bench:startup end -->/);
  });

  it('replaces only the section of the part run again, leaving the other parts and notes', () => {
    const first = withBenchSections(
      DOC,
      new Map([
        ['startup', 'old start-up'],
        ['gbdt', 'gbdt figures'],
      ]),
    );
    const second = withBenchSections(first, new Map([['startup', 'new start-up']]));
    expect(second).toContain('new start-up');
    expect(second).not.toContain('old start-up');
    expect(second).toContain('gbdt figures');
    expect(second).toContain('Notes measured by hand, kept.');
    expect(second.match(/## Latest runs/g)).toHaveLength(1);
    expect(second.match(/bench:startup begin/g)).toHaveLength(1);
    // Running it again with the same output changes nothing.
    expect(withBenchSections(second, new Map([['startup', 'new start-up']]))).toBe(second);
  });
});
