import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideApproval } from '../../src/pipeline/approvals/decideApproval.js';
import { notifyActivity } from '../../src/pipeline/activities/notifyActivity.js';
import { ApprovalMessenger } from '../../src/pipeline/notify/ApprovalMessenger.js';
import { Mailer } from '../../src/pipeline/notify/Mailer.js';
import { ActivityRegistry, orchestrator, pipeline, tempProject } from './support.js';

const mails: ParsedMail[] = [];
const hooks: Array<Record<string, unknown>> = [];
let smtp: SMTPServer;
let smtpPort = 0;
let http: ReturnType<typeof createServer>;
let hookUrl = '';

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, cb) {
      simpleParser(stream, { keepCidLinks: true }).then((m) => {
        mails.push(m);
        cb();
      }, cb);
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
  smtpPort = (smtp.server.address() as AddressInfo).port;
  http = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url === '/fail') {
        res.statusCode = 500;
        res.end('boom');
        return;
      }
      hooks.push({ url: req.url, type: req.headers['content-type'], ...JSON.parse(body) });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  hookUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => smtp.close(() => r(undefined)));
  await new Promise((r) => http.close(() => r(undefined)));
});

const REPORT = {
  verdict: 'pass with warnings',
  gates: [
    { name: 'missing < 5%', passed: true },
    { name: 'no <script> drift', passed: false, message: 'psi 0.31 on age' },
  ],
  warnings: [
    { severity: 'high', message: 'target leakage suspected in discharge_id' },
    { severity: 'low', message: 'minor' },
  ],
  figures: { rows: 69570, columns: 16 },
};

describe('notifications', () => {
  it('e-mails each approver the findings and a personal single-use link, posts a Slack-compatible webhook, and the link decides', async () => {
    const p = await tempProject();
    const mailer = new Mailer({ host: '127.0.0.1', port: smtpPort, ignoreTLS: true, from: 'sluice@example.test' });
    const settings = {
      publicUrl: 'http://sluice.example.test:7300',
      approvers: [
        { name: 'Ana', email: 'ana@example.test', role: 'approver' as const },
        { name: 'Vic', email: 'vic@example.test', role: 'viewer' as const },
      ],
      mailer,
      webhooks: [{ url: `${hookUrl}/slack`, name: 'team' }],
    };
    const acts = new ActivityRegistry().register('report', async () => REPORT).register('notify', notifyActivity(p.state, settings));
    const o = orchestrator(p, acts, { approvals: new ApprovalMessenger(p.store, settings) });
    const def = pipeline(
      `start: report\nstates:\n  report: { type: task, activity: report, next: notify }\n  notify: { type: task, activity: notify, next: ask }\n  ask: { type: approval, timeout: 1d, next: done }\n  done: { type: succeed }\n`,
    );
    const ex = await o.start({ file: '/data/inbox/batch-7.csv' }, { pipeline: def });
    await o.runUntilIdle();
    expect((await p.store.require(ex.id)).status).toBe('waiting');

    // Two messages for Ana (findings, then the approval request); none for the viewer.
    expect(mails.map((m) => (m.to as { text: string }).text)).toEqual(['ana@example.test', 'ana@example.test']);
    const request = mails.find((m) => m.subject?.includes('approval needed'))!;
    expect(request.subject).toBe('[Sluice] approval needed for batch-7.csv — verdict: pass with warnings · 1 high warning');
    expect(request.text).toContain('FAIL  no <script> drift — psi 0.31 on age');
    expect(request.text).toContain('target leakage suspected in discharge_id');
    expect(request.text).not.toContain('minor');
    expect(request.text).toContain('rows: 69,570');
    expect(request.html).toContain('no &lt;script&gt; drift');
    expect(request.html).not.toContain('<script>');
    const link = /Review and decide: (\S+)/.exec(request.text ?? '')![1]!;
    expect(link).toMatch(/^http:\/\/sluice\.example\.test:7300\/approve\/[A-Za-z0-9_-]{43}$/);

    const notified = (await p.store.events(ex.id)).find((e) => e.type === 'ApprovalNotified')!;
    expect(notified.data).toMatchObject({ notice: 'request', channels: ['email', 'webhook'], recipients: ['ana@example.test', 'team'], errors: [] });

    expect(hooks.map((h) => h.url)).toEqual(['/slack', '/slack']);
    const hook = hooks[1]!;
    expect(hook.type).toBe('application/json');
    expect(hook.text).toContain('approval needed for /data/inbox/batch-7.csv');
    expect(JSON.stringify(hook.blocks)).toContain(`http://sluice.example.test:7300/executions/${ex.id}`);
    expect(JSON.stringify(hook)).not.toContain(link.split('/').pop()!);

    const token = link.split('/').pop()!;
    expect(await decideApproval(p.store, { token, approvers: settings.approvers, decision: 'approve', comment: 'fine' })).toMatchObject({
      by: 'Ana',
      via: 'token',
    });
    await o.runUntilIdle();
    expect((await p.store.require(ex.id)).status).toBe('succeeded');
    mailer.close();
  });

  it('says it straight (gates and high warnings together) and carries the drift pictures as inline PNG images', async () => {
    const p = await tempProject();
    const mailer = new Mailer({ host: '127.0.0.1', port: smtpPort, ignoreTLS: true, from: 'sluice@example.test' });
    const settings = {
      publicUrl: 'http://sluice.example.test:7300',
      approvers: [{ name: 'Ana', email: 'ana-drift@example.test', role: 'approver' as const }],
      mailer,
      webhooks: [],
    };
    const summary = {
      ...REPORT,
      verdict: 'pass',
      headline: 'gates pass · 2 high warnings: drift in age, <b>x</b>',
      tone: 'review',
      figures: { rows: 1000, 'champion v3 f1 on this batch': '0.6120 (registered 0.7010)' },
      driftPictures: [
        {
          name: 'age',
          kind: 'numeric',
          strong: true,
          reasons: ['PSI 1.58 >= 0.25'],
          missingBaseline: 0,
          missingCurrent: 0.25,
          importance: 0.31,
          picture: { kind: 'histogram', edges: [0, 1, 2, 3], baseline: [0.5, 0.3, 0.2], current: [0.1, 0.3, 0.6] },
        },
        {
          name: '<b>x</b>',
          kind: 'categorical',
          strong: true,
          reasons: ['new categories in 10.0% of rows'],
          missingBaseline: 0,
          missingCurrent: 0,
          importance: null,
          picture: { kind: 'categories', labels: ['a', 'new'], baseline: [1, 0], current: [0.9, 0.1] },
        },
      ],
    };
    const acts = new ActivityRegistry().register('report', async () => summary);
    const o = orchestrator(p, acts, { approvals: new ApprovalMessenger(p.store, settings) });
    const ex = await o.start(
      { file: '/data/inbox/batch-9.csv' },
      {
        pipeline: pipeline(
          `start: report\nstates:\n  report: { type: task, activity: report, next: ask }\n  ask: { type: approval, timeout: 1d, next: done }\n  done: { type: succeed }\n`,
        ),
      },
    );
    await o.runUntilIdle();
    expect((await p.store.require(ex.id)).status).toBe('waiting');
    const m = mails.find((x) => (x.to as { text: string }).text === 'ana-drift@example.test')!;
    expect(m.subject).toBe('[Sluice] approval needed for batch-9.csv — verdict: gates pass · 2 high warnings: drift in age, <b>x</b>');
    expect(m.text).toContain('Verdict: gates pass · 2 high warnings');
    expect(m.text).toContain('champion v3 f1 on this batch: 0.6120 (registered 0.7010)');
    expect(m.text).toContain('age: PSI 1.58 >= 0.25 (importance in the champion 0.310)');
    // Two PNG images, shown inline by the HTML part (cid:), no script, data escaped.
    const images = m.attachments.filter((a) => a.contentType === 'image/png');
    expect(images).toHaveLength(2);
    for (const img of images) {
      expect(img.content.subarray(1, 4).toString('ascii')).toBe('PNG');
      expect(m.html).toContain(`cid:${img.cid}`);
    }
    expect(m.html).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(m.html).not.toContain('<b>x</b>');
    expect(m.html).not.toContain('<script');
    expect(m.html).toMatch(/color:#a35200;font-weight:bold">gates pass · 2 high warnings/);
    mailer.close();
  });

  it('tells approvers the findings the approval state wires, whatever the report state is named', async () => {
    const p = await tempProject();
    const mailer = new Mailer({ host: '127.0.0.1', port: smtpPort, ignoreTLS: true, from: 'sluice@example.test' });
    const settings = { publicUrl: 'http://x', approvers: [{ name: 'Ana', email: 'ana-wired@example.test', role: 'approver' as const }], mailer, webhooks: [] };
    const acts = new ActivityRegistry().register('report', async (_input, ctx) => ({ ...REPORT, verdict: `verdict of ${ctx.step}` }));
    const o = orchestrator(p, acts, { approvals: new ApprovalMessenger(p.store, settings) });
    const run = async (states: string) => {
      const ex = await o.start(
        { file: `/data/inbox/${states.length}.csv` },
        { pipeline: pipeline(`start: profile\nstates:\n${states}  done: { type: succeed }\n`) },
      );
      await o.runUntilIdle();
      expect((await p.store.require(ex.id)).status).toBe('waiting');
      return mails.filter((x) => (x.to as { text: string }).text === 'ana-wired@example.test').at(-1)!;
    };
    // No state is named `report`: the approval is wired to the nearest preceding report.
    const derived = await run(
      '  profile: { type: task, activity: report, next: again }\n  again: { type: task, activity: report, next: ask }\n  ask: { type: approval, timeout: 1d, next: done }\n',
    );
    expect(derived.subject).toContain('verdict: verdict of again');
    expect(derived.text).toContain('target leakage suspected in discharge_id');
    // Wired explicitly to the earlier one.
    const wired = await run(
      '  profile: { type: task, activity: report, next: again }\n  again: { type: task, activity: report, next: ask }\n  ask: { type: approval, timeout: 1d, input: { findings: $.results.profile }, next: done }\n',
    );
    expect(wired.subject).toContain('verdict: verdict of profile');
    mailer.close();
  });

  it('reads the SMTP password from the named environment variable only when sending', async () => {
    const m = new Mailer({ host: '127.0.0.1', port: smtpPort, ignoreTLS: true, user: 'u', passEnv: 'SLUICE_TEST_UNSET_PASSWORD', from: 'a@example.test' });
    await expect(m.send({ to: 'b@example.test', subject: 's', text: 't' })).rejects.toMatchObject({ code: 'CONFIG_SECRET_MISSING' });
    m.close();
  });

  it('records a failing channel without losing the approval, and the notify step fails (retryably) when nobody is told', async () => {
    const p = await tempProject();
    const mailer = new Mailer({ host: '127.0.0.1', port: 1, ignoreTLS: true, from: 'sluice@example.test' });
    const settings = {
      publicUrl: 'http://x',
      approvers: [{ name: 'Ana', email: 'ana@example.test', role: 'approver' as const }],
      mailer,
      webhooks: [{ url: `${hookUrl}/fail` }],
    };
    const acts = new ActivityRegistry().register('notify', notifyActivity(p.state, settings));
    const o = orchestrator(p, acts, { approvals: new ApprovalMessenger(p.store, settings) });
    const ex = await o.start(
      {},
      { pipeline: pipeline(`start: ask\nstates:\n  ask: { type: approval, next: n }\n  n: { type: task, activity: notify, end: true }\n`) },
    );
    await o.runUntilIdle();
    const notified = (await p.store.events(ex.id)).find((e) => e.type === 'ApprovalNotified')!;
    expect((notified.data.errors as string[]).join(' ')).toMatch(/sending mail to ana@example.test via 127.0.0.1:1 failed/);
    expect((notified.data.errors as string[]).join(' ')).toMatch(/answered 500: boom/);
    expect((await p.store.require(ex.id)).status).toBe('waiting');
    await decideApproval(p.store, { executionId: ex.id, approver: { name: 'Ana', role: 'approver' }, decision: 'approve' });
    await o.runUntilIdle();
    expect((await p.store.require(ex.id)).error).toMatchObject({ code: 'NOTIFY_FAILED' });
  });
});
