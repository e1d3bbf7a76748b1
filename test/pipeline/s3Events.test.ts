import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseS3Event } from '../../src/pipeline/triggers/s3Events.js';
import { initProject } from '../../src/pipeline/project/initProject.js';
import { loadProject } from '../../src/pipeline/project/loadProject.js';
import { ProjectRuntime } from '../../src/pipeline/project/ProjectRuntime.js';
import { createServer } from '../../src/server/createServer.js';
import { s3Credentials, startS3 } from '../support/s3Server.js';

let s3server: { endpoint: string; stop: () => Promise<void> } | undefined;
let endpoint = '';

describe('S3 event notifications', () => {
  it('parses S3 notification bodies: URL-encoded keys, only created objects, clear 400 otherwise', () => {
    expect(
      parseS3Event({
        Records: [
          { eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'b' }, object: { key: 'in/new+batch%2B1.csv' } } },
          { eventName: 'ObjectRemoved:Delete', s3: { bucket: { name: 'b' }, object: { key: 'x' } } },
        ],
      }),
    ).toEqual([{ bucket: 'b', key: 'in/new batch+1.csv', eventName: 'ObjectCreated:Put' }]);
    expect(() => parseS3Event({})).toThrow(/no Records array/);
    expect(() => parseS3Event({ Records: [{ s3: {} }] })).toThrow(/record 0: s3.bucket is missing/);
  });

  it('a malformed %-escape in a key is a 400 naming the record; secrets of any byte length are a 401, never a 500', async () => {
    expect(() =>
      parseS3Event({
        Records: [
          { s3: { bucket: { name: 'b' }, object: { key: 'ok.csv' } } },
          { s3: { bucket: { name: 'b' }, object: { key: `in/%E2%zz${'y'.repeat(5000)}` } } },
        ],
      }),
    ).toThrow(/^record 1: the object key "in\/%E2%zzy+…" \(5009 characters\) is not URL-encoded/);
    process.env.TEST_HOOK_SECRET_UTF8 = 'sécret-✓-ключ';
    const dir = join(mkdtempSync(join(tmpdir(), 'sluice-s3-')), 'p');
    initProject(dir);
    writeFileSync(
      join(dir, 'sluice.yaml'),
      readFileSync(join(dir, 'sluice.yaml'), 'utf8').replace(
        /^pipeline: default$/m,
        's3Events:\n  endpoint: http://127.0.0.1:9\n  secretEnv: TEST_HOOK_SECRET_UTF8\npipeline: default',
      ),
    );
    const project = loadProject(dir);
    const runtime = await ProjectRuntime.open(project);
    const app = await createServer({ project, runtime, endpoint: false, features: false });
    const post = (secret: string, key = 'a.csv') =>
      app.inject({
        method: 'POST',
        url: '/api/s3-events',
        headers: { 'x-sluice-secret': secret },
        payload: { Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'b' }, object: { key } } }] },
      });
    try {
      // The same number of characters but more bytes, fewer bytes, one byte, latin1 look-alikes.
      for (const wrong of ['secret-x-ключ', 'sécret-✓-ключX', 'x', 'sÃ©cret-â\u009c\u0093-ÐºÐ»Ñ\u008eÑ\u0087']) {
        const r = await post(wrong);
        expect([r.statusCode, r.json().code], wrong).toEqual([401, 'S3_EVENT_UNAUTHORIZED']);
      }
      const bad = await post(process.env.TEST_HOOK_SECRET_UTF8!, 'in/100%');
      expect(bad.statusCode, bad.body).toBe(400);
      expect(bad.json()).toMatchObject({ code: 'S3_EVENT_BAD_KEY', location: { record: 0, field: 'key' } });
    } finally {
      await app.close();
      await runtime.close();
    }
  });

  describe('against a real S3-compatible server (s3rver)', () => {
    beforeAll(async () => {
      s3server = await startS3();
      endpoint = s3server.endpoint;
    });
    afterAll(async () => {
      await s3server?.stop();
    });

    it('fetches the announced object, archives it and starts its execution; a repeated event is a skipped duplicate; the secret is required', async () => {
      process.env.TEST_S3_KEY = s3Credentials.accessKeyId;
      process.env.TEST_S3_SECRET = s3Credentials.secretAccessKey;
      process.env.TEST_HOOK_SECRET = 's3cr3t-value';
      const s3 = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: s3Credentials });
      await s3.send(new CreateBucketCommand({ Bucket: 'landing' }));
      await s3.send(new PutObjectCommand({ Bucket: 'landing', Key: 'incoming/batch 7.csv', Body: 'id,v\n1,2\n' }));
      s3.destroy();

      const dir = join(mkdtempSync(join(tmpdir(), 'sluice-s3-')), 'p');
      initProject(dir);
      writeFileSync(
        join(dir, 'sluice.yaml'),
        readFileSync(join(dir, 'sluice.yaml'), 'utf8').replace(
          /^pipeline: default$/m,
          `s3Events:\n  endpoint: ${endpoint}\n  accessKeyIdEnv: TEST_S3_KEY\n  secretAccessKeyEnv: TEST_S3_SECRET\n  secretEnv: TEST_HOOK_SECRET\n  buckets: [landing]\npipeline:\n  start: t\n  states:\n    t: { type: task, command: [node, -e, "1"], end: true }`,
        ),
      );
      const project = loadProject(dir);
      const runtime = await ProjectRuntime.open(project);
      const app = await createServer({ project, runtime });
      const event = { Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'landing' }, object: { key: 'incoming/batch+7.csv', size: 9 } } }] };
      try {
        const denied = await app.inject({ method: 'POST', url: '/api/s3-events', payload: event, headers: { 'x-sluice-secret': 'wrong-secret' } });
        expect(denied.statusCode).toBe(401);
        const ok = await app.inject({ method: 'POST', url: '/api/s3-events', payload: event, headers: { 'x-sluice-secret': 's3cr3t-value' } });
        expect(ok.statusCode, ok.body).toBe(201);
        const ex = ok.json().executions[0].execution as { id: string; file: string; status: string };
        expect(ex.file).toBe(join(project.paths.archive, ex.id, 'batch 7.csv'));
        expect(readFileSync(ex.file, 'utf8')).toBe('id,v\n1,2\n');
        await runtime.orchestrator.runUntilIdle();
        expect(await runtime.store.require(ex.id)).toMatchObject({ status: 'succeeded' });
        expect((await runtime.store.require(ex.id)).input).toMatchObject({ trigger: 's3', bucket: 'landing', key: 'incoming/batch 7.csv' });
        const again = await app.inject({ method: 'POST', url: '/api/s3-events', payload: event, headers: { 'x-sluice-secret': 's3cr3t-value' } });
        expect(again.statusCode).toBe(200);
        expect(again.json().executions[0].execution).toMatchObject({ status: 'skipped', duplicateOf: ex.id });
        const missing = await app.inject({
          method: 'POST',
          url: '/api/s3-events',
          payload: { Records: [{ s3: { bucket: { name: 'landing' }, object: { key: 'nope.csv' } } }] },
          headers: { 'x-sluice-secret': 's3cr3t-value' },
        });
        expect(missing.statusCode).toBe(502);
        expect(missing.json().message).toMatch(/cannot fetch s3:\/\/landing\/nope.csv/);
        const foreign = await app.inject({
          method: 'POST',
          url: '/api/s3-events',
          payload: { Records: [{ s3: { bucket: { name: 'other' }, object: { key: 'x.csv' } } }] },
          headers: { 'x-sluice-secret': 's3cr3t-value' },
        });
        expect(foreign.statusCode).toBe(403);
      } finally {
        await app.close();
        await runtime.close();
      }
    }, 60_000);
  });
});
