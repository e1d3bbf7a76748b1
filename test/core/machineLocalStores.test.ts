import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/core/config.js';
import { machineLocalStores } from '../../src/core/machineLocalStores.js';

const config = (stores: unknown) => configSchema.parse({ name: 'p', stores });

describe('machineLocalStores', () => {
  it('names every store left on its default: five local folders and the SQLite online store', () => {
    expect(machineLocalStores(config({}))).toEqual([
      'stores.artifacts (local folder; use type s3)',
      'stores.reports (local folder; use type s3)',
      'stores.archive (local folder; use type s3)',
      'stores.batches (local folder; use type s3)',
      'stores.offline (local folder; use type s3)',
      'stores.online (SQLite file; use type redis)',
    ]);
  });

  it('names none when the objects are on S3 and the online store on Redis', () => {
    const s3 = { type: 's3', bucket: 'team' };
    const all = { artifacts: s3, reports: s3, archive: s3, batches: s3, offline: s3, online: { type: 'redis', url: 'redis://127.0.0.1:6379' } };
    expect(machineLocalStores(config(all))).toEqual([]);
  });

  it('names only what is still local in a mixed setup', () => {
    const s3 = { type: 's3', bucket: 'team' };
    expect(machineLocalStores(config({ artifacts: s3, reports: s3, archive: { type: 'local' }, batches: s3, offline: s3 }))).toEqual([
      'stores.archive (local folder; use type s3)',
      'stores.online (SQLite file; use type redis)',
    ]);
  });
});
