import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** True when dist/ was built after the last change to any file under src/ (then the build is skipped). */
function distIsCurrent(): boolean {
  const stamp = 'dist/cli/main.js';
  if (!existsSync(stamp)) return false;
  const built = statSync(stamp).mtimeMs;
  const newer = (dir: string): boolean =>
    readdirSync(dir, { withFileTypes: true }).some((e) => (e.isDirectory() ? newer(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs > built));
  return !newer('src') && statSync('tsconfig.build.json').mtimeMs <= built;
}

/** True when the bundle of the CLI is at least as new as dist/ (bin/sluice.js runs dist/ otherwise). */
function bundleIsCurrent(): boolean {
  const bundle = 'dist/bundle/main.js';
  return existsSync(bundle) && statSync(bundle).mtimeMs >= statSync('dist/cli/main.js').mtimeMs;
}

/**
 * vitest global setup: the tests use real servers, a real browser and pandas from Debian's
 * packages (redis-server, chromium, python3-pandas for /usr/bin/python3, prometheus for promtool). On a fresh machine, as root, they are installed here so that
 * `npm test` alone works; otherwise a missing one is reported clearly. Also builds dist/.
 */
export default function setup(): void {
  // Tests that spawn `bin/sluice.js` run the compiled CLI: build it from the current sources
  // (skipped when dist/ is newer than every source file).
  if (!distIsCurrent()) {
    const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
    if (build.status !== 0) throw new Error('npm run build failed: the CLI tests need dist/');
  }
  // ...and the bundle bin/sluice.js runs (scripts/bundleCli.mjs), when older than dist/.
  if (!bundleIsCurrent()) {
    const bundle = spawnSync(process.execPath, ['scripts/bundleCli.mjs'], { stdio: 'inherit' });
    if (bundle.status !== 0) throw new Error('node scripts/bundleCli.mjs failed: the CLI tests run dist/bundle/');
  }
  const missing = [
    ['redis-server', 'redis-server'],
    ['chromium', 'chromium'],
    // the pandas reference the parity and dirty-data tests compare with (Debian's python)
    ['/usr/bin/python3 -c "import pandas"', 'python3-pandas'],
    // promtool checks the /metrics text (test/server/operations.test.ts)
    ['promtool', 'prometheus'],
  ]
    .filter(([cmd]) => spawnSync('sh', ['-c', cmd!.startsWith('/') ? `${cmd} 2>/dev/null` : `command -v ${cmd}`]).status !== 0)
    .map(([, pkg]) => pkg!);
  if (missing.length === 0) return;
  if (process.getuid?.() === 0) {
    process.stderr.write(`installing Debian packages the tests need: ${missing.join(' ')} …\n`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    const r = spawnSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env });
    if (r.status === 0) return;
  }
  process.stderr.write(`warning: tests that need ${missing.join(', ')} will fail: install them with apt-get install ${missing.join(' ')}\n`);
}
