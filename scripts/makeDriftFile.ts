// Writes examples/diabetes/diabetic-readmission-drift.csv, the demo's drifted batch, from the seed
// data (deterministic: same bytes on every run). Run: node --import tsx scripts/makeDriftFile.ts
// test/demo/driftFile.test.ts fails when the committed file differs from what this writes.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { DEFAULT_DRIFT, makeDriftCsv } from '../src/demo/makeDriftCsv.js';

const source = 'examples/diabetes/diabetic-readmission.csv';
const target = 'examples/diabetes/diabetic-readmission-drift.csv';
const csv = makeDriftCsv(readFileSync(source, 'utf8'), DEFAULT_DRIFT);
writeFileSync(`${target}.tmp`, csv);
renameSync(`${target}.tmp`, target);
process.stdout.write(`wrote ${target}: ${csv.split('\n').length - 2} rows, ${csv.length} bytes\n`);
