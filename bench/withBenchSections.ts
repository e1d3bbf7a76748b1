import { withGeneratedSection } from '../src/core/withGeneratedSection.js';

const LATEST = '## Latest runs';

/**
 * `doc` (docs/benchmarks.md) with each part's latest output in its own generated section, between
 * `<!-- bench:NAME begin ... -->` and `<!-- bench:NAME end -->`; a part seen for the first time
 * is appended under "Latest runs". Everything else in the file (the measured notes written
 * around the figures, the other parts) is kept, so running one part never erases the others.
 */
export function withBenchSections(doc: string, sections: ReadonlyMap<string, string>): string {
  let out = doc;
  for (const [name, body] of sections) {
    const begin = `<!-- bench:${name} begin (written by npm run bench) -->`;
    const end = `<!-- bench:${name} end -->`;
    if (!out.includes(begin)) {
      if (!out.includes(LATEST))
        out = `${out.trimEnd()}\n\n${LATEST}\n\nWritten by \`npm run bench\`: each part's output of its latest run, replaced when the part runs again.\n`;
      out = `${out.trimEnd()}\n\n${begin}\n${end}\n`;
    }
    out = withGeneratedSection(out, 'docs/benchmarks.md', begin, end, body.trimEnd());
  }
  return out;
}
