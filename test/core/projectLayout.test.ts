import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { archiveDir, batchDir, inside, modelDir, projectLayout, reportDir, stateDirOf } from '../../src/core/projectLayout.js';
import { SluiceError } from '../../src/core/errors.js';

describe('projectLayout: every project path from one place', () => {
  it('puts the state folders under .sluice by default, relative settings under the root', () => {
    const l = projectLayout('/p');
    expect(l).toMatchObject({
      root: '/p',
      stateDir: '/p/.sluice',
      db: '/p/.sluice/sluice.db',
      reports: '/p/.sluice/reports',
      models: '/p/.sluice/models',
      batches: '/p/.sluice/batches',
      offline: '/p/.sluice/offline',
      offlineCache: '/p/.sluice/cache/offline',
      inbox: '/p/inbox',
      archive: '/p/archive',
      flows: '/p/flows',
    });
    const s = projectLayout('/p', { stateDir: 'var/state', inbox: '/data/in', archive: 'kept' });
    expect([s.stateDir, s.db, s.inbox, s.archive]).toEqual(['/p/var/state', '/p/var/state/sluice.db', '/data/in', '/p/kept']);
    expect(projectLayout('rel').root).toBe(resolve('rel'));
    expect(stateDirOf('/p', undefined)).toBe('/p/.sluice');
    expect(stateDirOf('/p', '/abs/state')).toBe('/abs/state');
  });

  it('builds execution, step and model folders inside their area', () => {
    const l = projectLayout('/p');
    expect(reportDir(l, 'e1')).toBe('/p/.sluice/reports/e1');
    expect(batchDir(l, 'e1', 'build/train')).toBe('/p/.sluice/batches/e1/build_train');
    expect(batchDir(l, 'e1', '..')).toBe('/p/.sluice/batches/e1/__');
    expect(archiveDir(l, 'e1')).toBe('/p/archive/e1');
    expect(modelDir(l, 'readmission', 3)).toBe(join('/p/.sluice/models', 'readmission', '3'));
  });

  it.each(['..', '.', '', '../x', 'a/b', 'a\\b', 'a\0b'])('refuses the name %j: it would leave its folder', (name) => {
    const l = projectLayout('/p');
    const e = (() => {
      try {
        reportDir(l, name);
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(SluiceError);
    expect((e as SluiceError).code).toBe('PATH_OUTSIDE_PROJECT');
    expect(() => archiveDir(l, name)).toThrow(/not a plain name/);
    expect(() => inside('/p', 'ok', name)).toThrow(SluiceError);
  });
});
