import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRole } from '../../../src/server/auth/AuthGate.js';
import { CONSOLE_PAGES } from '../../../src/server/console/consolePages.js';
import { pageHeaders } from '../../../src/server/pageHeaders.js';
import { consoleProject, get, runToWait, USERS, writeBatch, type ConsoleProject, type UserName } from './consoleProject.js';
import { fakeArtifact } from '../../support/fakeArtifact.js';

/**
 * The conformance suite every console page passes, page by page from CONSOLE_PAGES
 * (src/server/console/consolePages.ts): it renders for the roles the list gives it and refuses
 * the others (403) and the anonymous (401, or a browser sent to sign in), with the security
 * headers of src/server/pageHeaders.ts, and every
 * value from data is escaped (the project, a file, a column, a group and a model carry script).
 * A new page with a new path parameter needs its value in PARAMS, or this suite fails.
 */

const SCRIPT = '<script>alert(1)</script>';
const ROLE_OF: Record<UserName, 'viewer' | 'approver' | 'admin'> = { vic: 'viewer', ana: 'approver', root: 'admin' };

let p: ConsoleProject;
const PARAMS: Record<string, string> = {};

beforeAll(async () => {
  p = await consoleProject({ editConfig: (yaml) => yaml.replace(/^name: .*$/m, `name: ${JSON.stringify(`${SCRIPT} project`)}`) });
  PARAMS.id = await runToWait(p, writeBatch(p.dir, '<script>batch.csv', 150, 7));
  const file = writeBatch(p.dir, 'group.csv', 20, 8);
  await p.features.createGroupFromData({ file }, { name: 'encounters', recordIdentifier: 'encounter_id', eventTime: 'event_time', description: SCRIPT });
  await p.features.ingest('encounters', { file });
  PARAMS.group = 'encounters';
  const artifact = join(p.dir, 'artifact');
  fakeArtifact({ kind: 'test' }, artifact);
  await p.registry.register(artifact, { name: 'readmission', status: 'approved', metrics: { [SCRIPT]: 0.7 }, by: SCRIPT });
  await p.registry.promote('readmission', 1, 'champion', 'root', SCRIPT);
  await p.auth.audit({ actor: 'root', action: 'model.promote', target: `model:readmission@1`, detail: SCRIPT, ip: '127.0.0.1' });
  PARAMS.name = 'readmission';
}, 120_000);

afterAll(async () => {
  await p?.close();
});

/** The page's path with its parameters filled in. */
function urlOf(path: string): string {
  return path.replace(/:(\w+)/g, (_, name: string) => {
    const v = PARAMS[name];
    if (v === undefined) throw new Error(`${path}: no test value for :${name}; add one to PARAMS`);
    return encodeURIComponent(v);
  });
}

describe('console page conformance: every page of CONSOLE_PAGES', () => {
  for (const page of CONSOLE_PAGES) {
    describe(`${page.path} (${page.title}, ${page.role})`, () => {
      it('the anonymous are refused: 401 to a program, a browser is sent to sign in and back', async () => {
        const url = urlOf(page.path);
        const api = await p.app.inject({ method: 'GET', url });
        expect(api.statusCode).toBe(401);
        expect(api.body).toContain('this needs a signed-in user');
        expect(api.body).toContain('<a href="/login">Sign in</a>');
        const browser = await get(p, url);
        expect(browser.statusCode).toBe(303);
        expect(browser.headers.location).toBe(`/login?next=${encodeURIComponent(url)}`);
      });

      it('renders for the roles that may open it, 403 for the others, with the console security headers', async () => {
        for (const user of USERS) {
          const res = await get(p, urlOf(page.path), user);
          const allowed = hasRole(ROLE_OF[user], page.role);
          expect(res.statusCode, `${user} ${page.path}`).toBe(allowed ? 200 : 403);
          // A page: the console's headers; a refusal: the sign-in pages' (stricter: it frames nothing).
          for (const [name, value] of Object.entries(pageHeaders(allowed ? 'console' : 'page')))
            expect(res.headers[name], `${user} ${page.path} ${name}`).toBe(value);
          expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
          if (!allowed) continue;
          expect(res.body).toContain(`<title>${page.title}`);
          // The navigation bar lists exactly the pages of the bar this user may open.
          for (const other of CONSOLE_PAGES.filter((x) => x.nav)) {
            const link = `<a href="${other.path}"`;
            if (hasRole(ROLE_OF[user], other.role)) expect(res.body, `${user} sees ${other.title}`).toContain(link);
            else expect(res.body, `${user} does not see ${other.title}`).not.toContain(link);
          }
        }
      });

      it('escapes every value from data: a <script> in the data never reaches the page as markup', async () => {
        const res = await get(p, urlOf(page.path), 'root');
        expect(res.statusCode).toBe(200);
        expect(res.body).not.toMatch(/<script/i);
        expect(res.body).not.toContain('<img src=x');
        expect(res.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt; project');
      });
    });
  }

  it('every page of the list is served, and its parameters have test values', () => {
    for (const page of CONSOLE_PAGES) expect(p.app.hasRoute({ method: 'GET', url: page.path }), page.path).toBe(true);
  });
});
