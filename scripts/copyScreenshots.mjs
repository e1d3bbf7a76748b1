// Copies the console screenshots taken by the browser test (test/e2e/console.e2e.test.ts writes
// them to test-artifacts/e2e/screen/) into docs/images/, where docs/guide.md shows them.
// Run: npx vitest run test/e2e && npm run docs:screenshots
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const from = join(root, 'test-artifacts', 'e2e', 'screen');
const to = join(root, 'docs', 'images');
if (!existsSync(from)) {
  console.error(`no screenshots in ${from}: run the browser test first (npx vitest run test/e2e)`);
  process.exit(1);
}
mkdirSync(to, { recursive: true });
const files = readdirSync(from).filter((f) => f.endsWith('.png'));
for (const f of files) copyFileSync(join(from, f), join(to, `console-${f}`));
console.log(`copied ${files.length} screenshots to docs/images/`);
