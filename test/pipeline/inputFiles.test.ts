import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer as netServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { initProject } from '../../src/pipeline/project/initProject.js';
import { loadProject } from '../../src/pipeline/project/loadProject.js';
import { ProjectRuntime } from '../../src/pipeline/project/ProjectRuntime.js';
import { sha256File } from '../../src/pipeline/triggers/readInputFile.js';
import { InboxWatcher } from '../../src/pipeline/triggers/InboxWatcher.js';
import { projectInputRoots } from '../../src/pipeline/triggers/admitInputFile.js';
import { createServer } from '../../src/server/createServer.js';
import { rejectionOf as errorOfAsync } from '../support/errors.js';

const PIPE = 'pipeline:\n  start: t\n  states:\n    t: { type: task, command: [node, -e, "1"], end: true }';
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** A project whose server takes files from the inbox, the archive and `data/` (plus `extraRoots`). */
async function project(extraRoots: string[] = []) {
  const dir = join(mkdtempSync(join(tmpdir(), 'sluice-input-')), 'p');
  initProject(dir);
  mkdirSync(join(dir, 'data'));
  writeFileSync(
    join(dir, 'sluice.yaml'),
    readFileSync(join(dir, 'sluice.yaml'), 'utf8')
      .replace(/^pipeline: default$/m, PIPE)
      .replace(/^inputRoots: \[\]$/m, `inputRoots: ${JSON.stringify(['data', ...extraRoots])}`),
  );
  const p = loadProject(dir);
  const runtime = await ProjectRuntime.open(p);
  const app: FastifyInstance = await createServer({ project: p, runtime, endpoint: false, features: false });
  cleanup.push(async () => {
    await app.close();
    await runtime.close();
  });
  const start = (file: string) => app.inject({ method: 'POST', url: '/api/executions', payload: { file } });
  return { dir, p, runtime, app, start };
}

describe('files only from where they belong', () => {
  it("POST /api/executions refuses system files, /proc, links leading out and Sluice's own state, echoing nothing of them", async () => {
    const s = await project();
    symlinkSync('/etc/passwd', join(s.dir, 'data', 'escape.csv'));
    mkdirSync(join(s.dir, 'data', 'sub'));
    symlinkSync('/etc', join(s.dir, 'data', 'sub', 'etc'));
    const cases: Array<[string, number, string, string]> = [
      ['/etc/passwd', 403, 'INPUT_OUTSIDE_ROOTS', 'outside the folders'],
      ['/proc/self/environ', 403, 'INPUT_OUTSIDE_ROOTS', 'outside the folders'],
      ['../../../../../../etc/passwd', 403, 'INPUT_OUTSIDE_ROOTS', 'outside the folders'],
      ['data/escape.csv', 403, 'INPUT_OUTSIDE_ROOTS', 'symbolic link'],
      ['data/sub/etc/passwd', 403, 'INPUT_OUTSIDE_ROOTS', 'symbolic link'],
      ['sluice.yaml', 403, 'INPUT_OUTSIDE_ROOTS', 'outside the folders'],
      ['data/missing.csv', 400, 'FILE_NOT_FOUND', 'no file'],
      ['data/sub', 400, 'INPUT_NOT_A_FILE', 'a folder'],
    ];
    for (const [file, status, code, words] of cases) {
      const r = await s.start(file);
      expect([r.statusCode, r.json().code], file).toEqual([status, code]);
      expect(r.json().message).toContain(words);
      expect(r.body).not.toMatch(/root:x:0|PATH=|sha256/);
    }
    expect(await s.runtime.store.count()).toBe(0);
    // A file of a root, and a link to it from another root, are taken; the execution records the real path.
    writeFileSync(join(s.dir, 'data', 'good.csv'), 'id,v\n1,2\n');
    symlinkSync(join(s.dir, 'data', 'good.csv'), join(s.dir, 'inbox', 'alias.csv'));
    const ok = await s.start('data/good.csv');
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().file).toBe(join(s.dir, 'data', 'good.csv'));
    const viaLink = await s.start(join(s.dir, 'inbox', 'alias.csv'));
    expect(viaLink.statusCode).toBe(200); // the same content: a skipped duplicate
    expect(viaLink.json().file).toBe(join(s.dir, 'data', 'good.csv'));
  });

  it('state inside a root stays refused; devices, FIFOs, sockets and /proc are refused at once, never read', async () => {
    const s = await project(['.', '/dev', '/proc/self']);
    for (const file of ['.sluice/sluice.db', 'sluice.yaml', '.sluice/secret']) {
      const r = await s.start(file);
      expect([r.statusCode, r.json().code], file).toEqual([403, 'INPUT_REFUSED']);
    }
    execFileSync('mkfifo', [join(s.dir, 'data', 'pipe.csv')]);
    const sock = netServer();
    await new Promise<void>((r) => sock.listen(join(s.dir, 'data', 'sock.csv'), () => r()));
    cleanup.push(() => new Promise<void>((r) => sock.close(() => r())));
    const t0 = Date.now();
    const cases: Array<[string, string]> = [
      ['/dev/zero', 'a device'],
      ['/dev/urandom', 'a device'],
      ['data/pipe.csv', 'a named pipe (FIFO)'],
      ['data/sock.csv', 'a socket'],
      ['/proc/self/environ', 'on a kernel file system'],
      ['/proc/self/cmdline', 'on a kernel file system'],
    ];
    // In parallel, as an attacker would: all refused, the server answers at once.
    const answers = await Promise.all(cases.map(([file]) => s.start(file)));
    answers.forEach((r, i) => {
      expect([r.statusCode, r.json().code], cases[i]![0]).toEqual([400, 'INPUT_NOT_A_FILE']);
      expect(r.json().message).toContain(cases[i]![1]);
      expect(r.body).not.toMatch(/PATH=|HOME=/);
    });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(await s.runtime.store.count()).toBe(0);
  });

  it('reads are bounded: size, FIFOs and devices refused by the hash itself, without blocking', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-read-'));
    writeFileSync(join(dir, 'big.csv'), 'x'.repeat(5000));
    expect((await errorOfAsync(() => sha256File(join(dir, 'big.csv'), { maxBytes: 4096, timeoutMs: 60_000 }))).code).toBe('INPUT_TOO_LARGE');
    expect(await sha256File(join(dir, 'big.csv'), { maxBytes: 5000, timeoutMs: 60_000 })).toMatch(/^[0-9a-f]{64}$/);
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    symlinkSync(join(dir, 'big.csv'), join(dir, 'link.csv'));
    const t0 = Date.now();
    for (const [file, code] of [
      ['/dev/zero', 'INPUT_NOT_A_FILE'],
      [join(dir, 'fifo'), 'INPUT_NOT_A_FILE'],
      ['/proc/self/environ', 'INPUT_NOT_A_FILE'],
      [join(dir, 'link.csv'), 'INPUT_NOT_A_FILE'],
      [join(dir, 'none'), 'FILE_NOT_FOUND'],
    ] as const) {
      const e = await errorOfAsync(() => sha256File(file));
      expect(e.code, file).toBe(code);
      expect(e.message).not.toMatch(/PATH=/);
    }
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('the inbox takes a link only to a file of the input roots (copying it); links leading out, FIFOs and sockets stay, and the watcher goes on', async () => {
    const s = await project();
    writeFileSync(join(s.dir, 'data', 'kept.csv'), 'id,v\n7,8\n');
    const w = new InboxWatcher({
      orchestrator: s.runtime.orchestrator,
      inbox: s.p.paths.inbox,
      archive: s.p.paths.archive,
      stabilityMs: 50,
      inputRoots: projectInputRoots(s.p),
    });
    cleanup.push(() => w.stop());
    await w.start();
    const inbox = s.p.paths.inbox;
    symlinkSync('/etc/passwd', join(inbox, 'passwd.csv'));
    symlinkSync('/etc', join(inbox, 'etc'));
    execFileSync('mkfifo', [join(inbox, 'pipe.csv')]);
    symlinkSync(join(s.dir, 'data', 'kept.csv'), join(inbox, 'inside.csv'));
    writeFileSync(join(inbox, 'plain.csv'), 'id,v\n1,2\n');
    const deadline = Date.now() + 20_000;
    while ((await s.runtime.store.count()) < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    const files = (await s.runtime.store.list({})).map((e) => e.file!.split('/').pop()).sort();
    expect(files).toEqual(['inside.csv', 'plain.csv']);
    const inside = (await s.runtime.store.list({})).find((e) => e.file!.endsWith('inside.csv'))!;
    expect(lstatSync(inside.file!).isFile()).toBe(true);
    expect(readFileSync(inside.file!, 'utf8')).toBe('id,v\n7,8\n');
    expect(readFileSync(join(s.dir, 'data', 'kept.csv'), 'utf8')).toBe('id,v\n7,8\n');
    expect(readdirSync(inbox).sort()).toEqual(['.gitkeep', 'etc', 'passwd.csv', 'pipe.csv']);
    expect(existsSync('/etc/passwd')).toBe(true);
  });
});
