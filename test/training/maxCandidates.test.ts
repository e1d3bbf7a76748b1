import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectCleanError, sluice } from '../cli/run.js';
import { smallRows, SMALL_HEADER, tempDir, writeCsv } from './fixtures.js';

describe('sluice train --max-candidates: an iteration budget', () => {
  const dir = tempDir();
  const data = writeCsv(dir, 'small.csv', SMALL_HEADER, smallRows(200));

  it('stops the search after N candidates, the time limit only a ceiling; the rest are listed as not started', async () => {
    const out = join(dir, 'out');
    const r = await sluice(['train', data, '--target', 'label', '--out', out, '--max-candidates', '2', '--time-limit', '120', '--seed', '4']);
    expect(r.code, r.stderr).toBe(0);
    const lb = JSON.parse(readFileSync(join(out, 'leaderboard.json'), 'utf8')) as { entries: Array<{ status: string; reason?: string }> };
    expect(lb.entries.filter((e) => e.status !== 'skipped')).toHaveLength(2);
    const skipped = lb.entries.filter((e) => e.status === 'skipped');
    expect(skipped.length).toBeGreaterThan(0);
    for (const e of skipped) expect(e.reason).toBe('the candidate limit (2) was reached before it could start');
  });

  it('refuses a value that is not a positive whole number, before reading anything', async () => {
    for (const bad of ['0', '-1', '1.5', 'lots', '']) {
      const r = await sluice(['train', join(dir, 'no-such-file.csv'), '--target', 'label', '--out', join(dir, 'never'), '--max-candidates', bad]);
      expectCleanError(r, 'CLI_USAGE');
      expect(r.stderr).toContain(`--max-candidates must be a positive whole number, not "${bad}"`);
      expect(r.stderr).toContain('--max-candidates 10');
    }
  });
});
