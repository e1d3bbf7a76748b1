import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleProject, get, runToWait, writeBatch, type ConsoleProject, type UserName } from './consoleProject.js';
import { fakeArtifact } from '../../support/fakeArtifact.js';

let p: ConsoleProject;
let pages: string[];

beforeAll(async () => {
  p = await consoleProject();
  const id = await runToWait(p, writeBatch(p.dir, 'pages.csv', 200, 4));
  const file = writeBatch(p.dir, 'group.csv', 20, 5);
  await p.features.createGroupFromData({ file }, { name: 'encounters', recordIdentifier: 'encounter_id', eventTime: 'event_time' });
  await p.features.ingest('encounters', { file });
  const artifact = join(p.dir, 'artifact');
  fakeArtifact({ kind: 'test' }, artifact);
  await p.registry.register(artifact, { name: 'readmission', status: 'approved', metrics: { auc: 0.7 }, by: 'test' });
  await p.registry.promote('readmission', 1, 'champion', 'root');
  pages = [
    '/',
    '/executions',
    `/executions/${id}`,
    '/reports',
    '/features',
    '/features/encounters',
    '/features/encounters?id=50001',
    '/models',
    '/models/readmission',
    '/endpoint',
    '/settings',
    '/audit',
  ];
}, 60_000);

afterAll(async () => {
  await p?.close();
});

/** The ids of form controls that need a label (hidden inputs and buttons do not). */
function controls(body: string): string[] {
  const ids: string[] = [];
  for (const m of body.matchAll(/<(input|select|textarea)\b([^>]*)>/g)) {
    const attrs = m[2]!;
    if (/type="hidden"/.test(attrs)) continue;
    const id = /\bid="([^"]+)"/.exec(attrs);
    ids.push(id ? id[1]! : `(no id: ${m[0]})`);
  }
  return ids;
}

describe('console: every page, every role', () => {
  for (const user of ['vic', 'ana', 'root'] as UserName[]) {
    it(`renders for ${user}: frame, labels, no script, nothing external`, async () => {
      for (const url of pages) {
        const res = await get(p, url, user);
        if (url === '/audit' && user === 'vic') {
          expect(res.statusCode).toBe(403);
          continue;
        }
        expect(res.statusCode, `${user} ${url}`).toBe(200);
        const b = res.body;
        expect(res.headers['content-security-policy'], url).toContain("default-src 'none'");
        expect(res.headers['x-frame-options']).toBe('DENY');
        expect(b.startsWith('<!doctype html>'), url).toBe(true);
        expect(b).toContain('<html lang="en">');
        expect(b).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
        expect(b).toContain('<a class="skip" href="#main">Skip to content</a>');
        expect(b).toContain('<main id="main" tabindex="-1">');
        expect(b).toMatch(/<h1>[^<]/);
        expect(b).not.toMatch(/<script/i);
        expect(b, url).not.toMatch(/\b(src|href|action)="(https?:)?\/\//i);
        for (const id of controls(b)) expect(b, `${url}: a label for ${id}`).toContain(`<label for="${id}">`);
        expect(b).toMatch(
          /<form method="post" action="\/logout"><input type="hidden" name="csrf" value="[^"]+"><button type="submit">Log out<\/button><\/form>/,
        );
      }
    });
  }

  it('marks the current section in the navigation', async () => {
    const sections: Array<[string, string]> = [
      ['/executions', 'Executions'],
      ['/reports', 'Reports'],
      ['/features/encounters', 'Features'],
      ['/models/readmission', 'Models'],
      ['/endpoint', 'Endpoint'],
      ['/settings', 'Settings'],
      ['/audit', 'Audit'],
    ];
    for (const [url, label] of sections) {
      const b = (await get(p, url, 'root')).body;
      expect(b, url).toMatch(new RegExp(`aria-current="page">${label}</a>`));
      expect((b.match(/aria-current="page"/g) ?? []).length).toBe(1);
    }
  });

  it('the endpoint page says when no endpoint is mounted', async () => {
    const b = (await get(p, '/endpoint', 'vic')).body;
    expect(b).toContain('This server does not serve predictions');
  });
});

describe('console: audit log', () => {
  it('pages by entry and filters by user and action', async () => {
    for (let i = 0; i < 60; i++)
      await p.auth.audit({
        actor: i % 2 ? 'ana' : 'root',
        action: i % 3 ? 'model.promote' : 'approval.approve',
        target: `execution:ex-${i}`,
        detail: `entry <${i}>`,
        ip: '127.0.0.1',
      });
    const first = await get(p, '/audit', 'ana');
    expect((first.body.match(/<tr>\n<td data-label="When">/g) ?? []).length).toBe(50);
    expect(first.body).toContain('entry &lt;59&gt;');
    const older = /<a rel="next" href="([^"]+)">Older/.exec(first.body)![1]!.replace(/&amp;/g, '&');
    const second = await get(p, older, 'ana');
    expect(second.body).toContain('entry &lt;0&gt;');
    expect(second.body).not.toContain('entry &lt;59&gt;');
    const filtered = await get(p, '/audit?actor=ana&action=approval.approve', 'ana');
    const rows = [...filtered.body.matchAll(/<td data-label="Detail">entry &lt;(\d+)&gt;<\/td>/g)].map((m) => Number(m[1]));
    expect(rows.length).toBe(10);
    expect(rows.every((n) => n % 2 === 1 && n % 3 === 0)).toBe(true);
    expect((await get(p, '/audit?before=x', 'ana')).statusCode).toBe(400);
  });
});
