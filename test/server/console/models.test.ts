import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountEndpoint, type MountedEndpoint } from '../../../src/server/endpoint/mountEndpoint.js';
import { DIABETES } from '../../support/data.js';
import { trainDiabetesModel } from '../../models/diabetesModel.js';
import { consoleProject, csrfOf, get, post, type ConsoleProject } from './consoleProject.js';

const B = '/console';
let p: ConsoleProject;
let mounted: MountedEndpoint;

/** A copy of the trained artifact with a model report beside it (as training writes one). */
function withReport(dir: string, tag: string): string {
  const out = mkdtempSync(join(tmpdir(), 'sluice-console-model-'));
  cpSync(dir, out, { recursive: true });
  writeFileSync(join(out, 'model-report.html'), `<!doctype html><title>model report ${tag}</title><h1>Model report ${tag}</h1>`);
  writeFileSync(
    join(out, 'model-report.json'),
    JSON.stringify({
      format: 'sluice.model-report',
      metric: 'auc',
      leaderboard: [
        { id: 'gbdt-1', learner: 'gbdt', status: 'ok', best: true, cvMean: 0.66, cvStd: 0.01, holdout: 0.65, fitSeconds: 1 },
        { id: '<b>lin</b>', learner: 'logistic', status: 'ok', best: false, cvMean: 0.61, cvStd: 0.02, holdout: 0.6, fitSeconds: 0.2 },
      ],
    }),
  );
  return out;
}

async function waitForVersion(version: string): Promise<void> {
  for (let i = 0; i < 200 && mounted.host.current?.version !== version; i++) await new Promise((r) => setTimeout(r, 25));
  expect(mounted.host.current?.version).toBe(version);
}

beforeAll(async () => {
  const trained = await trainDiabetesModel({ rows: 3000, maxIter: 8 });
  p = await consoleProject({
    base: B,
    endpoint: async (scope, registry, auth) => {
      mounted = await mountEndpoint(scope, { registry, model: 'readmission', pollMs: 25, auth });
      scope.addHook('onClose', async () => mounted.close());
      return { host: mounted.host, model: 'readmission' };
    },
  });
  const reg = p.registry;
  await reg.register(withReport(trained.dir, 'v1'), {
    name: 'readmission',
    status: 'approved',
    metrics: { auc: 0.6 },
    by: 'pipeline',
    lineage: { approval: { by: 'ana', at: new Date().toISOString() } },
  });
  await reg.register(withReport(trained.dir, 'v2'), { name: 'readmission', status: 'approved', metrics: { auc: 0.7 }, by: 'pipeline' });
  await reg.register(trained.dir, { name: 'readmission', status: 'pending', metrics: { auc: 0.65 }, by: 'pipeline' });
  await reg.promote('readmission', 1, 'champion', 'setup');
  await mounted.follower.ready;
  await waitForVersion('1');
}, 180_000);

afterAll(async () => {
  await p?.close();
});

describe('console mounted at /console beside the endpoint', () => {
  it('serves the console under its base beside the endpoint routes at the root', async () => {
    const inbox = await get(p, B, 'vic');
    expect(inbox.statusCode).toBe(200);
    expect(inbox.body).toContain('<a href="/console/models">Models</a>');
    expect((await get(p, `${B}/`, 'vic')).statusCode).toBe(302);
    const ping = await p.app.inject({ url: '/ping' });
    expect(ping.json()).toMatchObject({ status: 'ok', model: 'readmission', model_version: '1' });
    // the root leads to the console when nothing else serves it
    const root = await get(p, '/', 'vic');
    expect(root.statusCode).toBe(302);
    expect(root.headers.location).toBe(B);
  });
});

describe('console: models', () => {
  it('lists the models with their champion', async () => {
    const res = await get(p, `${B}/models`, 'vic');
    expect(res.body).toContain('<a href="/console/models/readmission">readmission</a>');
    expect(res.body).toContain('<td data-label="Champion">version 1</td>');
  });

  it('shows the leaderboard by metric, the champion, the model report and the history; no admin forms for others', async () => {
    const res = await get(p, `${B}/models/readmission`, 'ana');
    expect(res.statusCode).toBe(200);
    const b = res.body;
    expect(b).toContain('Champion: <b>version 1</b> (approved, auc 0.6)');
    expect(b).toContain('Versions ranked by auc (higher is better).');
    const ranks = [...b.matchAll(/<td data-label="Rank" class="num">(\d)<\/td><td data-label="Version" class="num">(\d)<\/td>/g)].map((m) => `${m[1]}:${m[2]}`);
    expect(ranks).toEqual(['1:2', '2:3', '3:1']);
    expect(b).toContain('href="/console/models/readmission/versions/2/report">model report</a>');
    expect(b).toContain('AutoML candidates of version 1');
    expect(b).toContain('&lt;b&gt;lin&lt;/b&gt;');
    expect(b).toContain('<td data-label="Change">registered</td>');
    expect(b).toContain('Only admins promote and roll back models.');
    expect(b).not.toContain('/promote"');
    const report = await get(p, `${B}/models/readmission/versions/2/report`, 'vic');
    expect(report.body).toContain('Model report v2');
    expect(report.headers['content-security-policy']).toContain('sandbox');
    expect((await get(p, `${B}/models/readmission/versions/3/report`, 'vic')).statusCode).toBe(404);
  });

  it('refuses promote and rollback to non-admins and without CSRF, with no change', async () => {
    const admin = await get(p, `${B}/models/readmission`, 'root');
    const csrf = csrfOf(admin.body, `${B}/models/readmission/promote`);
    for (const user of ['vic', 'ana'] as const) {
      expect((await post(p, `${B}/models/readmission/promote`, user, { csrf, version: '2', alias: 'champion' })).statusCode).toBe(403);
      expect((await post(p, `${B}/models/readmission/rollback`, user, { csrf })).statusCode).toBe(403);
    }
    expect((await post(p, `${B}/models/readmission/promote`, 'root', { version: '2', alias: 'champion' })).statusCode).toBe(403);
    expect((await p.registry.champion('readmission'))?.version).toBe(1);
  });

  it('an admin promotes through the form (the endpoint follows), a refused promotion says why, and rolls back', async () => {
    const page = await get(p, `${B}/models/readmission`, 'root');
    const csrf = csrfOf(page.body, `${B}/models/readmission/promote`);
    expect(page.body).toContain('<option value="2">2</option>');
    expect(page.body).not.toContain('<option value="3">');
    const res = await post(p, `${B}/models/readmission/promote`, 'root', { csrf, version: '2', alias: 'champion', comment: 'better <auc>' });
    expect(res.statusCode, res.body).toBe(303);
    expect(res.headers.location).toBe(`${B}/models/readmission?done=version%202%20is%20champion`);
    expect((await p.registry.champion('readmission'))?.version).toBe(2);
    await waitForVersion('2');
    const after = await get(p, res.headers.location as string, 'root');
    expect(after.body).toContain('Promoted: version 2 is champion.');
    expect(after.body).toContain('better &lt;auc&gt;');

    const pending = await post(p, `${B}/models/readmission/promote`, 'root', { csrf, version: '3', alias: 'champion' });
    expect(pending.statusCode).toBeGreaterThanOrEqual(400);
    expect(pending.body).toContain('Nothing changed:');
    expect((await p.registry.champion('readmission'))?.version).toBe(2);

    const back = await post(p, `${B}/models/readmission/rollback`, 'root', { csrf, comment: 'revert' });
    expect(back.statusCode).toBe(303);
    expect((await p.registry.champion('readmission'))?.version).toBe(1);
    await waitForVersion('1');
    const log = (await p.auth.auditLog()).filter((e) => e.action.startsWith('model.'));
    expect(log.map((e) => e.action)).toEqual(['model.rollback', 'model.promote']);
    expect(log[1]).toMatchObject({ actor: 'root', target: 'model:readmission@2', detail: 'champion: better <auc>' });
  });

  it('404 for an unknown model', async () => {
    const res = await get(p, `${B}/models/nope`, 'vic');
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('no model named &quot;nope&quot;');
  });
});

describe('console: endpoint', () => {
  const sample = readFileSync(DIABETES, 'utf8').split('\n').slice(0, 3).join('\n');

  it('shows the status and the loaded version', async () => {
    const res = await get(p, `${B}/endpoint`, 'vic');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<span class="ok">serving</span>');
    expect(res.body).toContain('<dt>Loaded version</dt><dd>1</dd>');
    expect(res.body).toContain('<dt>Registry champion</dt><dd>version 1');
  });

  it('predicts through the form with the same predictor as /invocations', async () => {
    const page = await get(p, `${B}/endpoint`, 'vic');
    const csrf = csrfOf(page.body, `${B}/endpoint/predict`);
    const res = await post(p, `${B}/endpoint/predict`, 'vic', { csrf, format: 'csv', records: sample });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).toContain('<h3>Predictions (version 1)</h3>');
    const labels = [...res.body.matchAll(/<td><b>([^<]+)<\/b><\/td>/g)].map((m) => m[1]!.replace('&gt;', '>').replace('&lt;', '<'));
    const api = await p.app.inject({ method: 'POST', url: '/invocations', headers: { 'content-type': 'text/csv' }, payload: sample });
    expect(api.statusCode, api.body).toBe(200);
    expect(labels).toEqual(api.json().predictions.map((x: { predicted_label: string }) => x.predicted_label));
    expect(labels).toHaveLength(2);

    const bad = await post(p, `${B}/endpoint/predict`, 'vic', { csrf, format: 'json', records: '{"instances": [{"<script>": 1}]}' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('class="refused"');
    expect(bad.body).not.toMatch(/<script/i);
    expect(bad.body).toContain('&quot;instances&quot;');
    expect((await post(p, `${B}/endpoint/predict`, 'vic', { format: 'csv', records: sample })).statusCode).toBe(403);
  });
});
