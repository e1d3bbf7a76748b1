// npm links the bins of dependencies into node_modules/.bin, but not the project's own: link
// `sluice` there too, so `npx sluice ...` runs this checkout's CLI after `npm ci`.
import { chmodSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';

mkdirSync('node_modules/.bin', { recursive: true });
rmSync('node_modules/.bin/sluice', { force: true });
symlinkSync('../../bin/sluice.js', 'node_modules/.bin/sluice');
chmodSync('bin/sluice.js', 0o755);
