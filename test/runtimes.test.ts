import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { engines?: { node?: string } | string[]; dev?: boolean; optional?: boolean }> };

/** The lowest release of each supported Node line: what `engines` promises and CI runs (see .ci/run). */
const SUPPORTED = ['20.19.0', '22.13.0', '24.0.0'];

describe('supported Node versions', () => {
  it('package.json engines admits each supported line and refuses older ones', () => {
    for (const v of SUPPORTED) expect(semver.satisfies(v, pkg.engines.node), v).toBe(true);
    for (const v of ['18.20.0', '20.18.0', '21.7.0']) expect(semver.satisfies(v, pkg.engines.node), v).toBe(false);
  });

  it('no installed package requires a newer Node (npm ci gives no EBADENGINE warning on a supported version)', () => {
    const refused: string[] = [];
    for (const [path, meta] of Object.entries(lock.packages)) {
      const range = meta.engines && !Array.isArray(meta.engines) ? meta.engines.node : undefined;
      if (!path || !range) continue;
      for (const v of SUPPORTED) if (!semver.satisfies(v, range)) refused.push(`${path.replace(/^node_modules\//, '')} needs node ${range}, refuses ${v}`);
    }
    expect(refused).toEqual([]);
  });

  it('the README states the same versions', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toContain(`Node ${pkg.engines.node}`);
  });
});
