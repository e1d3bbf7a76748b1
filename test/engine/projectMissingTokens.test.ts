import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { missingPolicy } from '../../src/core/missing.js';
import { reportFromFiles } from '../../src/profile/reportFromFiles.js';
import { parseInvocation } from '../../src/server/endpoint/parseInvocation.js';
import { tempDir } from '../support/data.js';

const dir = tempDir('sluice-tokens-');

describe("the project's missing tokens reach the readers (issue 12)", () => {
  it('sluice report counts a custom token as missing', async () => {
    const file = join(dir, 'batch.csv');
    writeFileSync(file, 'age,race\n30,a\n-999,?\n50,b\n');
    const plain = await reportFromFiles(file, { outDir: join(dir, 'r0') });
    expect(plain.report.columns.find((c) => c.name === 'age')?.missing).toBe(0);
    const { report } = await reportFromFiles(file, { outDir: join(dir, 'r1'), missingTokens: ['-999', '?'] });
    expect(report.columns.find((c) => c.name === 'age')?.missing).toBe(1);
    expect(report.columns.find((c) => c.name === 'race')?.missing).toBe(1);
  });

  it("the endpoint reads a record with the model's tokens, also a token sent as a JSON number", () => {
    const inputs = [
      { name: 'age', type: 'integer' as const },
      { name: 'race', type: 'string' as const },
    ];
    const body = JSON.stringify({
      dataframe_records: [
        { age: -999, race: '?' },
        { age: '-999', race: 'a' },
      ],
    });
    const custom = parseInvocation('application/json', body, inputs, 10, missingPolicy(['-999', '?']));
    expect(custom.records).toEqual([
      { age: null, race: null },
      { age: null, race: 'a' },
    ]);
    const defaults = parseInvocation('application/json', body, inputs, 10);
    expect(defaults.records).toEqual([
      { age: -999, race: '?' },
      { age: -999, race: 'a' },
    ]);
  });
});
