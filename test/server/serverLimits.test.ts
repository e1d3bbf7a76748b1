import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initProject } from '../../src/pipeline/project/initProject.js';
import { loadProject } from '../../src/pipeline/project/loadProject.js';
import { ProjectRuntime } from '../../src/pipeline/project/ProjectRuntime.js';
import { createServer } from '../../src/server/createServer.js';

describe('server limits', () => {
  it('idle slow connections beyond maxConnections are closed, and /api/health still answers', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'sluice-limits-')), 'p');
    initProject(dir);
    writeFileSync(
      join(dir, 'sluice.yaml'),
      readFileSync(join(dir, 'sluice.yaml'), 'utf8')
        .replace('    headersTimeout: 10s', '    headersTimeout: 1s')
        .replace('    maxConnections: 1000', '    maxConnections: 20'),
    );
    const project = loadProject(dir);
    expect(project.config.server.limits).toMatchObject({ headersTimeout: '1s', maxConnections: 20 });
    const runtime = await ProjectRuntime.open(project);
    const app = await createServer({ project, runtime, endpoint: false, features: false });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;
    const sockets: Socket[] = [];
    let closed = 0;
    const timedOut = new Set<number>();
    try {
      // 60 clients that start a request and never finish its headers.
      for (let i = 0; i < 60; i++) {
        const s = connect(port, '127.0.0.1');
        s.on('error', () => {});
        s.on('close', () => closed++);
        s.on('data', (d) => {
          if (/^HTTP\/1\.1 408 /.test(String(d))) timedOut.add(i);
        });
        s.write('GET /api/health HTTP/1.1\r\nHost: x\r\n');
        sockets.push(s);
      }
      await new Promise((r) => setTimeout(r, 500));
      // Those beyond the limit were closed at once; the server holds at most 20.
      expect(closed).toBeGreaterThanOrEqual(40);
      // The server still answers while the slow ones are held.
      const deadline = Date.now() + 10_000;
      let status = 0;
      while (Date.now() < deadline) {
        status = await fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(1000) }).then(
          (r) => r.status,
          () => 0,
        );
        if (status === 200) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(status).toBe(200);
      // The 20 held ones send no more: each is answered 408 once headersTimeout (1s) has passed.
      const cut = Date.now() + 10_000;
      while (timedOut.size < 20 && Date.now() < cut) await new Promise((r) => setTimeout(r, 100));
      expect(timedOut.size).toBe(20);
    } finally {
      for (const s of sockets) s.destroy();
      app.server.closeAllConnections();
      await app.close();
      await runtime.close();
    }
  }, 60_000);

  it('an idle kept-alive connection is closed after keepAliveTimeout', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'sluice-limits-')), 'p');
    initProject(dir);
    writeFileSync(join(dir, 'sluice.yaml'), readFileSync(join(dir, 'sluice.yaml'), 'utf8').replace('    keepAliveTimeout: 5s', '    keepAliveTimeout: 500ms'));
    const project = loadProject(dir);
    expect(project.config.server.limits.keepAliveTimeout).toBe('500ms');
    const runtime = await ProjectRuntime.open(project);
    const app = await createServer({ project, runtime, endpoint: false, features: false });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;
    const s = connect(port, '127.0.0.1');
    try {
      let answer = '';
      s.on('data', (d) => (answer += String(d)));
      const closedAt = new Promise<number>((r) => s.once('close', () => r(Date.now())));
      s.write('GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
      while (!answer.includes('\r\n\r\n')) await new Promise((r) => setTimeout(r, 20));
      const answeredAt = Date.now();
      expect(answer).toMatch(/^HTTP\/1\.1 200/);
      expect(answer).toMatch(/keep-alive/i);
      const idle = (await Promise.race([closedAt, new Promise<number>((r) => setTimeout(() => r(-1), 8000))])) - answeredAt;
      expect(idle).toBeGreaterThanOrEqual(300);
      expect(idle).toBeLessThan(5000); // well before the default 5s would
    } finally {
      s.destroy();
      await app.close();
      await runtime.close();
    }
  }, 60_000);
});
