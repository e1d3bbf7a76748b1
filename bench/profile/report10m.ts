import { fileURLToPath } from 'node:url';
/**
 * The report on 10 million rows, for peak memory: 144 jittered copies of the diabetes data
 * (10,018,080 rows) through the `sluice report` CLI under /usr/bin/time.
 * Run: node --import tsx bench/profile/report10m.ts   (generates bench/out/diabetes-10m.csv once, ~0.6 GB)
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Engine } from '../../src/engine/Engine.js';
import { readTable } from '../../src/engine/readTable.js';
import { writeTable } from '../../src/engine/writeTable.js';
import { fmt, timed } from '../lib.js';

const DATA = existsSync('examples/diabetes/diabetic-readmission.csv')
  ? 'examples/diabetes/diabetic-readmission.csv'
  : fileURLToPath(new URL('../../examples/diabetes/diabetic-readmission.csv', import.meta.url));
const OUT = 'bench/out';
mkdirSync(OUT, { recursive: true });
const big = join(OUT, 'diabetes-10m.csv');
if (!existsSync(big)) {
  const engine = await Engine.open({ memoryLimit: '2GB' });
  await readTable(engine, DATA, { name: 'raw' });
  await writeTable(
    engine,
    `SELECT * EXCLUDE (k) REPLACE (num_lab_procedures + (k % 7) AS num_lab_procedures, CASE WHEN (k + age) % 50 = 0 THEN NULL ELSE time_in_hospital END AS time_in_hospital) FROM raw, range(144) t(k)`,
    big,
  );
  engine.close();
}
const r = timed(process.execPath, [resolve('bin/sluice.js'), 'report', big, '--target', 'readmitted', '--out', join(OUT, 'report-10m')]);
process.stdout.write(
  `| \`sluice report\` CLI, one run | 10,018,080 rows (144 jittered copies) | ${fmt(r.seconds)} s | peak RSS ${fmt(r.peakMb, 0)} MB${r.status === 0 ? '' : ' (FAILED)'} |\n`,
);
