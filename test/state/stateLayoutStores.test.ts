import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backupManifestSchema } from '../../src/backup/backupManifest.js';
import { stateLayout } from '../../src/backup/stateLayout.js';
import { initProject } from '../../src/pipeline/project/initProject.js';
import { loadProject } from '../../src/pipeline/project/loadProject.js';
import { tempDir } from '../support/data.js';

/** What a backup records about a remote offline store: the backend's own `describe`, so a new backend needs no line in src/backup. */
describe('stateLayout: the offline store as a backup manifest records it', () => {
  it('an s3 offline store is its bucket, prefix and endpoint (never credentials), and the manifest schema reads it back', () => {
    const dir = join(tempDir('sluice-layout-'), 'p');
    initProject(dir);
    const file = join(dir, 'sluice.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        /^ {2}offline: .*$/m,
        "  offline: { type: s3, bucket: team-sluice, prefix: history/offline, url: 'http://127.0.0.1:9000' }",
      ),
    );
    const layout = stateLayout(loadProject(dir));
    expect(layout.offline).toEqual({ type: 's3', bucket: 'team-sluice', prefix: 'history/offline', endpoint: 'http://127.0.0.1:9000' });
    expect(layout.areas.offline).toBeUndefined();
    const offline = backupManifestSchema.shape.stores.shape.offline;
    expect(offline.parse(layout.offline)).toEqual(layout.offline);
    // A local store is recorded with its path and size; a "local" entry without them is refused.
    expect(offline.safeParse({ type: 'local' }).success).toBe(false);
    expect(offline.safeParse({ type: 's3', bucket: 'b', prefix: 'p', credentials: { secret: 'x' } }).success).toBe(false);
  });
});
