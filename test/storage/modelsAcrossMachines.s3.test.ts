import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelRegistry } from '../../src/models/ModelRegistry.js';
import { loadProject } from '../../src/pipeline/project/loadProject.js';
import { ProjectRuntime } from '../../src/pipeline/project/ProjectRuntime.js';
import { hashPassword } from '../../src/server/auth/password.js';
import { projectAuthGate } from '../../src/server/auth/projectAuthGate.js';
import { createServer } from '../../src/server/createServer.js';
import { cli } from '../state/liveProject.js';
import { s3Credentials, startS3 } from '../support/s3Server.js';
import { FAST } from '../support/fastScrypt.js';

/**
 * Issue 17, point 3: with `stores.artifacts` (and reports, batches) in an S3-compatible bucket, a
 * machine that has the shared state but none of the local folders promotes from the bucket (the
 * versions' files fetched and checked, the input contract decided on them) and its console shows
 * the model reports another machine wrote. s3rver runs in this process, so every `sluice` child
 * that reaches it is spawned asynchronously; when s3rver cannot start, beforeAll fails and so
 * does every test (none is skipped).
 */

const FIXTURE = resolve('test/fixtures/artifacts/train-v1');
const env = { AWS_ACCESS_KEY_ID: s3Credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s3Credentials.secretAccessKey, AWS_REGION: 'us-east-1' };

let s3: Awaited<ReturnType<typeof startS3>>;
let client: S3Client;
/** The machine that trained and registered: versions 1 (age, color, score) and 2 (age, color only), 1 champion. */
let first: string;

/** `sluice ARGS` in DIR with the S3 credentials, the built CLI in this process (s3rver answers from the same event loop). */
function run(dir: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return cli(dir, args, env);
}

/** Another machine: the same sluice.yaml and shared state (the registry), none of the local folders. */
function otherMachine(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-machine-'));
  copyFileSync(join(first, 'sluice.yaml'), join(dir, 'sluice.yaml'));
  mkdirSync(join(dir, '.sluice'), { recursive: true });
  copyFileSync(join(first, '.sluice', 'sluice.db'), join(dir, '.sluice', 'sluice.db'));
  return dir;
}

async function champion(dir: string): Promise<number | undefined> {
  const reg = await ModelRegistry.open(dir);
  try {
    return (await reg.champion('readmission'))?.version;
  } finally {
    await reg.close();
  }
}

beforeAll(async () => {
  s3 = await startS3();
  Object.assign(process.env, env);
  client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: s3Credentials });
  await client.send(new CreateBucketCommand({ Bucket: 'team-sluice' }));

  first = mkdtempSync(join(tmpdir(), 'sluice-machine-'));
  const init = await cli(first, ['init', '.']);
  if (init.code !== 0) throw new Error(init.stderr);
  const store = `{ type: s3, bucket: team-sluice, url: '${s3.endpoint}' }`;
  const hash = await hashPassword('vic-password', FAST);
  const yaml = readFileSync(join(first, 'sluice.yaml'), 'utf8');
  // Replaces the artifacts store and the approvers init writes.
  const shared = yaml
    .replace('  artifacts: { type: local, path: .sluice/models }', `  artifacts: ${store}\n  reports: ${store}\n  batches: ${store}`)
    .replace('  - name: Change Me\n    email: approver@example.com\n    role: approver', `  - { name: vic, role: viewer, passwordHash: "${hash}" }`);
  expect(shared).toContain('artifacts: { type: s3');
  expect(shared).toContain('name: vic');
  writeFileSync(join(first, 'sluice.yaml'), shared);

  // Two trained models: the whole training folder (its model report beside the model), and one without the score column.
  for (const f of ['train.csv', 'small.flow.yaml']) copyFileSync(join(FIXTURE, f), join(first, f));
  const narrow = readFileSync(join(FIXTURE, 'train.csv'), 'utf8')
    .trim()
    .split('\n')
    .map((l) =>
      l
        .split(',')
        .filter((_, i) => i !== 2)
        .join(','),
    )
    .join('\n');
  writeFileSync(join(first, 'narrow.csv'), `${narrow}\n`);
  for (const args of [
    ['train', 'train.csv', '--target', 'label', '--flow', 'small.flow.yaml', '--time-limit', '2', '--seed', '3', '--out', 'wide'],
    ['train', 'narrow.csv', '--target', 'label', '--time-limit', '2', '--seed', '3', '--out', 'narrow'],
    ['models', 'register', 'readmission', 'wide', '--status', 'approved'],
    ['models', 'register', 'readmission', join('narrow', 'model'), '--status', 'approved'],
    ['models', 'promote', 'readmission', '1'],
  ]) {
    const r = await run(first, args);
    if (r.code !== 0) throw new Error(`sluice ${args.join(' ')}: ${r.stderr}`);
  }
}, 300_000);

afterAll(async () => {
  client?.destroy();
  await s3?.stop();
});

describe('models on S3: another machine promotes and shows reports from the bucket', () => {
  it('promote on a machine without the folders fetches both versions from the bucket and keeps the input contract', async () => {
    const second = otherMachine();
    const models = join(second, '.sluice', 'models', 'readmission');
    expect(existsSync(models)).toBe(false);
    // Version 2 no longer requires score: refused, as on the machine that registered it.
    const refused = await run(second, ['models', 'promote', 'readmission', '2']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('MODEL_INPUTS_CHANGED');
    expect(refused.stderr).toContain('no longer requires score');
    expect(await champion(second)).toBe(1);
    // The versions came from the bucket, whole (their files checked against the index and the registry's hash).
    // (Version 1 is a whole training folder, its model under model/.)
    expect(existsSync(join(models, '1', 'model', 'SLUICE_MODEL.json'))).toBe(true);
    expect(existsSync(join(models, '2', 'SLUICE_MODEL.json'))).toBe(true);
    expect(readFileSync(join(models, '1', 'model-report.html'), 'utf8')).toBe(readFileSync(join(first, 'wide', 'model-report.html'), 'utf8'));

    const allowed = await run(second, ['models', 'promote', 'readmission', '2', '--allow-schema-change', '--by', 'ana']);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(await champion(second)).toBe(2);
    const back = await run(second, ['models', 'rollback', 'readmission', '--by', 'ana']);
    expect(back.code, back.stderr).toBe(0);
    expect(await champion(second)).toBe(1);
  }, 300_000);

  it("the console of a machine without the folders shows the model report another machine wrote (the version's files fetched and checked)", async () => {
    const third = otherMachine();
    const project = loadProject(third);
    const runtime = await ProjectRuntime.open(project, { logger: pino({ level: 'silent' }) });
    const auth = projectAuthGate(project, runtime.db);
    const app = await createServer({ project, runtime, auth, features: false, endpoint: false });
    try {
      const login = await auth.login('vic', 'vic-password', { ip: '127.0.0.1' });
      if (!login.ok) throw new Error(login.message);
      const cookie = auth.sessionCookie(login.sessionId).split(';')[0]!;
      const page = await app.inject({ method: 'GET', url: '/models/readmission', headers: { accept: 'text/html', cookie } });
      expect(page.statusCode, page.body.slice(0, 500)).toBe(200);
      expect(page.body).toContain('/models/readmission/versions/1/report');
      const report = await app.inject({ method: 'GET', url: '/models/readmission/versions/1/report', headers: { accept: 'text/html', cookie } });
      expect(report.statusCode).toBe(200);
      expect(report.body).toBe(readFileSync(join(first, 'wide', 'model-report.html'), 'utf8'));
      // Version 2 was registered without a report: none is shown, and the page does not fail.
      const none = await app.inject({ method: 'GET', url: '/models/readmission/versions/2/report', headers: { accept: 'text/html', cookie } });
      expect(none.statusCode).toBe(404);
    } finally {
      await app.close();
      await runtime.close();
    }
  }, 300_000);

  it('a version altered in the bucket is not promoted: OBJECT_TAMPERED, the champion unchanged, nothing placed locally', async () => {
    const key = 'artifacts/readmission/2/model.json';
    const original = await (await client.send(new GetObjectCommand({ Bucket: 'team-sluice', Key: key }))).Body!.transformToString();
    try {
      await client.send(new PutObjectCommand({ Bucket: 'team-sluice', Key: key, Body: `${original} ` }));
      const fourth = otherMachine();
      const r = await run(fourth, ['models', 'promote', 'readmission', '2', '--allow-schema-change']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('OBJECT_TAMPERED');
      expect(r.stderr).toContain('s3://team-sluice/artifacts/readmission/2/model.json');
      expect(await champion(fourth)).toBe(1);
      expect(existsSync(join(fourth, '.sluice', 'models', 'readmission', '2'))).toBe(false);
    } finally {
      await client.send(new PutObjectCommand({ Bucket: 'team-sluice', Key: key, Body: original }));
    }
  }, 300_000);
});
