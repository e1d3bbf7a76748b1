import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SluiceError } from '../../src/core/errors.js';
import { projectLayout } from '../../src/core/projectLayout.js';
import { decideApproval } from '../../src/pipeline/approvals/decideApproval.js';
import { ModelRegistry } from '../../src/models/ModelRegistry.js';
import { loadProject } from '../../src/pipeline/project/loadProject.js';
import { ProjectRuntime } from '../../src/pipeline/project/ProjectRuntime.js';
import { takeS3Object } from '../../src/pipeline/triggers/s3Events.js';
import { modelReportFiles } from '../../src/server/console/modelReportFiles.js';
import { projectStores } from '../../src/storage/projectStores.js';
import { DIABETES } from '../support/data.js';
import { s3Credentials, startS3 } from '../support/s3Server.js';
import { runCliInProcess } from '../support/runCliInProcess.js';

const ROOT = join(import.meta.dirname, '..', '..');

// The S3-compatible server (s3rver) runs in this process on 127.0.0.1; when it cannot start,
// beforeAll fails and so does every test here (none is skipped).
let s3: Awaited<ReturnType<typeof startS3>>;
let client: S3Client;
const env = { AWS_ACCESS_KEY_ID: s3Credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s3Credentials.secretAccessKey, AWS_REGION: 'us-east-1' };

beforeAll(async () => {
  s3 = await startS3();
  Object.assign(process.env, env);
  client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: s3Credentials });
  for (const b of ['team-sluice', 'team-inbox']) await client.send(new CreateBucketCommand({ Bucket: b }));
});
afterAll(async () => {
  client?.destroy();
  await s3?.stop();
});

/** A project whose artifacts, reports, archive, step outputs and offline store are all in the bucket `team-sluice`. */
function project(dir = mkdtempSync(join(tmpdir(), 'sluice-shared-'))): string {
  copyFileSync(join(ROOT, 'examples', 'diabetes', 'diabetes.flow.yaml'), join(dir, 'diabetes.flow.yaml'));
  const store = `{ type: s3, bucket: team-sluice, url: '${s3.endpoint}' }`;
  writeFileSync(
    join(dir, 'sluice.yaml'),
    `name: shared
flow: diabetes.flow.yaml
target: readmitted
featureGroup: { name: encounters, recordIdentifier: record_id, eventTime: event_time }
model: { name: readmission, timeLimit: 10, holdout: 0.25, learners: [logistic], maxCandidates: 1, ensemble: false }
approvers: [{ name: ana, email: ana@example.com, role: approver }]
s3Events: { endpoint: '${s3.endpoint}', buckets: [team-inbox], secretEnv: SLUICE_TEST_S3_EVENTS_SECRET }
stores:
  artifacts: ${store}
  reports: ${store}
  archive: ${store}
  batches: ${store}
  offline: { type: s3, bucket: team-sluice, prefix: offline, url: '${s3.endpoint}' }
`,
  );
  return dir;
}

async function keys(prefix: string): Promise<string[]> {
  const res = await client.send(new ListObjectsV2Command({ Bucket: 'team-sluice', Prefix: prefix }));
  return (res.Contents ?? []).map((o) => o.Key!).sort();
}

/** Another machine: the same sluice.yaml and shared state (the registry, executions), none of the local folders. */
function otherMachine(from: string): string {
  const dir = project();
  mkdirSync(join(dir, '.sluice'), { recursive: true });
  copyFileSync(join(from, '.sluice', 'sluice.db'), join(dir, '.sluice', 'sluice.db'));
  return dir;
}

/** `sluice models predict`, the built CLI in this process (s3rver answers from the same event loop). */
async function predict(dir: string, input: string): Promise<{ status: number | null; stderr: string }> {
  const r = await runCliInProcess(['models', 'predict', 'readmission', '--project', dir, '-i', input, '-o', join(dir, 'scored.csv')], { env });
  return { status: r.code, stderr: r.stderr };
}

describe('objects on S3: what one worker writes, another reads', () => {
  let first: string;
  let executionId: string;
  const rows = readFileSync(DIABETES, 'utf8').split('\n');
  const batch = [rows[0], ...rows.slice(1, 1201)].join('\n') + '\n';

  beforeAll(async () => {
    first = project();
    // The batch arrives in the inbox bucket and is taken by the S3 trigger into the archive.
    await client.send(new PutObjectCommand({ Bucket: 'team-inbox', Key: 'incoming/b1.csv', Body: batch }));
    const p = loadProject(first);
    const r = await ProjectRuntime.open(p, { logger: pino({ level: 'silent' }), pollMs: 20 });
    try {
      const rec = await takeS3Object(r.orchestrator, p.config.s3Events!, p.paths.archive, {
        bucket: 'team-inbox',
        key: 'incoming/b1.csv',
        eventName: 'ObjectCreated:Put',
      });
      executionId = rec.id;
      await r.orchestrator.runUntilIdle();
      expect((await r.store.require(executionId)).status, JSON.stringify((await r.store.require(executionId)).error)).toBe('waiting');
      await decideApproval(r.store, { executionId, approver: r.approver('ana'), decision: 'approve', comment: 'fine' });
      await r.orchestrator.runUntilIdle();
      const done = await r.store.require(executionId);
      expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
      expect(done.outcome).toBe('deployed');
    } finally {
      await r.close();
    }
  }, 600_000);

  it('the pipeline put the archived input, the step outputs, the report, the model version and the offline history in the bucket', async () => {
    expect(await keys(`archive/${executionId}/`)).toEqual([`archive/${executionId}/.sluice-folder.json`, `archive/${executionId}/b1.csv`]);
    const reports = await keys(`reports/${executionId}/`);
    expect(reports).toEqual(
      expect.arrayContaining([`reports/${executionId}/report.html`, `reports/${executionId}/summary.json`, `reports/${executionId}/.sluice-folder.json`]),
    );
    const batches = await keys(`batches/${executionId}/`);
    // The train step's folder (its name made path-safe), whole: its index and the trained model.
    const trainIndex = batches.find((k) => /^batches\/[^/]+\/[^/]*train[^/]*\/\.sluice-folder\.json$/.test(k));
    expect(trainIndex, batches.join('\n')).toBeDefined();
    const trainFolder = trainIndex!.replace('.sluice-folder.json', '');
    expect(batches.some((k) => k.startsWith(trainFolder) && k.endsWith('/model/SLUICE_MODEL.json'))).toBe(true);
    const model = await keys('artifacts/readmission/1/');
    expect(model).toEqual(expect.arrayContaining(['artifacts/readmission/1/.sluice-folder.json', 'artifacts/readmission/1/SLUICE_MODEL.json']));
    // The registry's own manifest changes with the status: it stays with the database, not in the bucket.
    expect(model.some((k) => k.includes('sluice-version'))).toBe(false);
    expect((await keys('offline/encounters/')).length).toBeGreaterThan(0);
    // Nothing was written to the inbox bucket, and nothing removed from it.
    const inbox = await client.send(new ListObjectsV2Command({ Bucket: 'team-inbox' }));
    expect((inbox.Contents ?? []).map((o) => o.Key)).toEqual(['incoming/b1.csv']);
  });

  it('another process on a machine with empty local folders loads the champion from the bucket (checked) and predicts; reports and step outputs come back the same', async () => {
    const second = otherMachine(first);
    const input = join(second, 'records.csv');
    writeFileSync(input, [rows[0], ...rows.slice(3001, 3101)].join('\n') + '\n');
    const res = await predict(second, input);
    expect(res.status, String(res.stderr)).toBe(0);
    const scored = readFileSync(join(second, 'scored.csv'), 'utf8').trim().split('\n');
    expect(scored).toHaveLength(101);
    expect(scored[0]).toContain('predicted_label');
    expect(existsSync(join(second, '.sluice', 'models', 'readmission', '1', 'SLUICE_MODEL.json'))).toBe(true);

    const stores = projectStores(projectLayout(second), loadProject(second).config.stores);
    try {
      const reportDir = await stores.reports.fetch([executionId]);
      expect(readFileSync(join(reportDir, 'report.html'), 'utf8')).toBe(readFileSync(join(first, '.sluice', 'reports', executionId, 'report.html'), 'utf8'));
      const archived = await stores.archive.fetch([executionId]);
      expect(readFileSync(join(archived, 'b1.csv'), 'utf8')).toBe(batch);
      const e = await stores.reports.fetch(['no-such-execution']).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(SluiceError);
      expect((e as SluiceError).code).toBe('OBJECT_NOT_FOUND');
      expect((e as SluiceError).hint).toContain('stores.reports');
    } finally {
      await stores.close();
    }

    // The console's model report of the pipeline's version: the train step's folder, fetched from stores.batches.
    const runtime = await ProjectRuntime.open(loadProject(second), { logger: pino({ level: 'silent' }) });
    const registry = await ModelRegistry.open(second);
    try {
      const files = await modelReportFiles(runtime, await registry.get('readmission', 1));
      expect(files.html).toBeDefined();
      expect(files.html!.startsWith(join(second, '.sluice', 'batches', executionId))).toBe(true);
      const original = readdirSync(join(first, '.sluice', 'batches', executionId), { recursive: true, encoding: 'utf8' }).find((f) =>
        f.endsWith('model-report.html'),
      );
      expect(readFileSync(files.html!, 'utf8')).toBe(readFileSync(join(first, '.sluice', 'batches', executionId, original!), 'utf8'));
      expect(files.json).toBeDefined();
    } finally {
      await registry.close();
      await runtime.close();
    }
  }, 300_000);

  it('a model object altered in the bucket is refused with a clear error, and nothing is placed in the local cache', async () => {
    const key = 'artifacts/readmission/1/model.json';
    const original = await (await client.send(new GetObjectCommand({ Bucket: 'team-sluice', Key: key }))).Body!.transformToString();
    try {
      await client.send(new PutObjectCommand({ Bucket: 'team-sluice', Key: key, Body: original.replace(/\d(?=[,\]])/, (d) => String((Number(d) + 1) % 10)) }));
      const third = otherMachine(first);
      const res = await predict(third, join(first, 'sluice.yaml'));
      expect(res.status).not.toBe(0);
      expect(String(res.stderr)).toContain('OBJECT_TAMPERED');
      expect(String(res.stderr)).toContain('s3://team-sluice/artifacts/readmission/1/model.json');
      expect(existsSync(join(third, '.sluice', 'models', 'readmission', '1'))).toBe(false);

      // Altered consistently with the folder's index: the registry's recorded hash still refuses it.
      const indexKey = 'artifacts/readmission/1/.sluice-folder.json';
      const index = JSON.parse(await (await client.send(new GetObjectCommand({ Bucket: 'team-sluice', Key: indexKey }))).Body!.transformToString()) as {
        files: Array<{ path: string; bytes: number; sha256: string }>;
      };
      const altered = Buffer.from(original.replace(/\d(?=[,\]])/, (d) => String((Number(d) + 1) % 10)));
      const { createHash } = await import('node:crypto');
      for (const f of index.files) {
        if (f.path === 'model.json') Object.assign(f, { bytes: altered.length, sha256: createHash('sha256').update(altered).digest('hex') });
      }
      await client.send(new PutObjectCommand({ Bucket: 'team-sluice', Key: indexKey, Body: JSON.stringify(index) }));
      const fourth = otherMachine(first);
      const again = await predict(fourth, join(first, 'sluice.yaml'));
      expect(again.status).not.toBe(0);
      expect(String(again.stderr)).toMatch(/OBJECT_TAMPERED[\s\S]*registry recorded sha256:/);
      expect(existsSync(join(fourth, '.sluice', 'models', 'readmission', '1'))).toBe(false);
    } finally {
      await client.send(new PutObjectCommand({ Bucket: 'team-sluice', Key: key, Body: original }));
    }
  }, 300_000);
});

describe('stores.* settings that cannot work are named by their path', () => {
  const layout = projectLayout('/p');
  const refused = (settings: Parameters<typeof projectStores>[1]): SluiceError => {
    try {
      projectStores(layout, settings);
    } catch (e) {
      expect(e).toBeInstanceOf(SluiceError);
      return e as SluiceError;
    }
    throw new Error('accepted');
  };

  it('refuses an s3 store without a bucket, a bad bucket name, a bad endpoint, an unknown type, a field the type does not take', () => {
    const cases: Array<[Parameters<typeof projectStores>[1], string, string]> = [
      [{ reports: { type: 's3' } }, 'CONFIG_INVALID', 'stores.reports.bucket'],
      [{ artifacts: { type: 's3', bucket: 'Team_Models' } }, 'CONFIG_INVALID', 'stores.artifacts.bucket'],
      [{ artifacts: { type: 's3', bucket: 'team-models', url: 'ftp://minio:9000' } }, 'CONFIG_INVALID', 'stores.artifacts.url'],
      [{ batches: { type: 's3', bucket: 'team-models', url: 'not a url' } }, 'CONFIG_INVALID', 'stores.batches.url'],
      [{ batches: { type: 'gcs' } }, 'OBJECT_STORE_UNKNOWN', 'stores.batches.type'],
      [{ archive: { type: 'local', path: 'elsewhere' } }, 'CONFIG_INVALID', 'stores.archive.path'],
      [{ archive: { type: 's3', bucket: 'team-models', prefix: '../up' } }, 'CONFIG_INVALID', 'stores.archive.prefix'],
    ];
    for (const [settings, code, field] of cases) {
      const e = refused(settings);
      expect([e.code, e.location?.field], JSON.stringify(settings)).toEqual([code, field]);
      expect(e.hint).toBeTruthy();
    }
  });

  it('a bucket that does not exist, or an endpoint nothing answers on, fails the write with the object and the setting named', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-shared-bad-'));
    const l = projectLayout(dir);
    mkdirSync(join(l.reports, 'run-1'), { recursive: true });
    writeFileSync(join(l.reports, 'run-1', 'report.html'), '<p>report</p>');
    for (const [settings, where] of [
      [{ reports: { type: 's3', bucket: 'no-such-bucket', url: s3.endpoint } }, 's3://no-such-bucket/reports/run-1/'],
      [{ reports: { type: 's3', bucket: 'team-sluice', url: 'http://127.0.0.1:9' } }, 's3://team-sluice/reports/run-1/'],
    ] as const) {
      const stores = projectStores(l, settings);
      try {
        const e = await stores.reports.publish(['run-1']).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(SluiceError);
        expect((e as SluiceError).code).toBe('OBJECT_STORE_ERROR');
        expect((e as SluiceError).message).toContain(where);
        expect((e as SluiceError).location?.field).toBe('stores.reports');
        expect((e as SluiceError).hint).toContain('stores.reports');
      } finally {
        await stores.close();
      }
    }
    // The local report is untouched.
    expect(readFileSync(join(l.reports, 'run-1', 'report.html'), 'utf8')).toBe('<p>report</p>');
  }, 120_000);
});
