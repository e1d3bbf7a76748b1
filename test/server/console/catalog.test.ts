import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleProject, get, HOSTILE_COLUMN, writeBatch, type ConsoleProject } from './consoleProject.js';

let p: ConsoleProject;

beforeAll(async () => {
  process.env.SLUICE_CONSOLE_TEST_SECRET = 'ENV-SECRET-VALUE';
  p = await consoleProject();
  const file = writeBatch(p.dir, 'features.csv', 50, 3);
  await p.features.createGroupFromData(
    { file },
    { name: 'encounters', recordIdentifier: 'encounter_id', eventTime: 'event_time', description: 'Encounters <b>bold</b>' },
  );
  await p.features.ingest('encounters', { file });
}, 60_000);

afterAll(async () => {
  delete process.env.SLUICE_CONSOLE_TEST_SECRET;
  await p?.close();
});

describe('console: feature groups', () => {
  it('lists the groups', async () => {
    const res = await get(p, '/features', 'vic');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<a href="/features/encounters">encounters</a>');
    expect(res.body).toContain('Encounters &lt;b&gt;bold&lt;/b&gt;');
    expect(res.body).toContain('<a href="/features" aria-current="page">Features</a>');
  });

  it('shows the schema and sample records with the hostile column name escaped', async () => {
    const res = await get(p, '/features/encounters', 'vic');
    expect(res.statusCode).toBe(200);
    const b = res.body;
    expect(b).not.toContain('<img src=x');
    expect(b).toContain(`<td><code>&lt;img src=x onerror=alert(1)&gt;</code></td><td>integral</td>`);
    expect(b).toContain('<td><code>encounter_id</code></td><td>integral</td><td>record id</td>');
    expect(b).toContain('1 batches, 50 rows');
    // ten sample rows with the header of every feature
    expect((b.match(/<tr><td>300\d\d<\/td><td>\d+<\/td><td>(Male|Female)<\/td>/g) ?? []).length).toBe(10);
    expect(b).toContain(`<th scope="col">${HOSTILE_COLUMN.replace(/</g, '&lt;').replace(/>/g, '&gt;')}</th>`);
    expect(b).toMatch(/<form method="get" action="\/features\/encounters" role="search"/);
  });

  it('looks a record up by id (GET form), and says when there is none', async () => {
    const found = await get(p, '/features/encounters?id=30007', 'vic');
    expect(found.statusCode).toBe(200);
    expect(found.body).toContain('<h3>Record 30007</h3>');
    expect(found.body).toContain('<th scope="row">encounter_id</th><td>30007</td>');
    expect(found.body).toContain('value="30007"');
    const missing = await get(p, '/features/encounters?id=%3Cscript%3E', 'vic');
    expect(missing.body).toContain('No record with encounter_id = &quot;&lt;script&gt;&quot; in the online store.');
    expect(missing.body).not.toMatch(/<script/i);
  });

  it('404 for an unknown group', async () => {
    const res = await get(p, '/features/nope', 'vic');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('feature group &quot;nope&quot; does not exist');
  });
});

describe('console: settings', () => {
  it('shows the configuration read-only, never a password hash, a secret, a credential or an env value', async () => {
    const res = await get(p, '/settings', 'vic');
    expect(res.statusCode).toBe(200);
    const b = res.body;
    expect(b).toContain('<code>approvers[0].name</code></th><td>ana</td>');
    expect(b).toContain('<code>approvers[0].password</code></th><td>(set, hidden)</td>');
    expect(b).toContain('<code>server.port</code></th><td>7300</td>');
    expect(b).toContain('<code>s3Events.secretEnv</code></th><td>SLUICE_CONSOLE_TEST_SECRET</td>');
    expect(b).toContain('https://hooks.example.com/… (hidden)');
    expect(b).toContain('http://127.0.0.1:9000 (credentials hidden)');
    const hash = p.project.config.approvers[0]!.passwordHash!;
    expect(hash.length).toBeGreaterThan(20);
    for (const secret of [hash, hash.slice(-16), 'SECRET-PATH', 'SECRET-QUERY', 'ENV-SECRET-VALUE', 'minio-pass', 'minio-user'])
      expect(b).not.toContain(secret);
    expect(b).toContain('console: report · ask · decide · done · rejected');
  });
});
