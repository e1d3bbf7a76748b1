import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { appendFile, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InboxWatcher } from '../../src/pipeline/triggers/InboxWatcher.js';
import { ActivityRegistry, effectActivity, effectLines, orchestrator, pipeline, tempProject } from './support.js';

const DEF = pipeline(`start: a\nstates:\n  a: { type: task, activity: effect, input: { file: $.input.file }, end: true }\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean | Promise<boolean>, ms = 30_000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(25);
  }
}

describe('inbox watcher', () => {
  it('100 files arriving together give 100 executions, none lost or duplicated; files are archived', async () => {
    const p = await tempProject();
    const fx = join(p.root, 'effects.txt');
    const o = orchestrator(p, new ActivityRegistry().register('effect', effectActivity(fx)), { concurrency: 4, pipeline: DEF });
    o.startLoop();
    const w = new InboxWatcher({ orchestrator: o, inbox: p.paths.inbox, archive: p.paths.archive, stabilityMs: 150 });
    await w.start();
    await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        // Half renamed into place from a partial name, half written directly.
        const name = `batch-${String(i).padStart(3, '0')}.csv`;
        if (i % 2) {
          await writeFile(join(p.paths.inbox, `.${name}.part`), `id,v\n${i},${i * 2}\n`);
          await rename(join(p.paths.inbox, `.${name}.part`), join(p.paths.inbox, name));
        } else await writeFile(join(p.paths.inbox, name), `id,v\n${i},${i * 2}\n`);
      }),
    );
    await until(async () => (await p.store.count('succeeded')) === 100);
    await sleep(300);
    expect(await p.store.count()).toBe(100);
    expect(readdirSync(p.paths.inbox)).toEqual([]);
    const execs = await p.store.list({ limit: 200 });
    expect(new Set(execs.map((e) => e.file)).size).toBe(100);
    for (const e of execs) {
      expect(e.file).toBe(join(p.paths.archive, e.id, e.file!.split('/').pop()!));
      expect(existsSync(e.file!)).toBe(true);
    }
    expect(new Set(effectLines(fx)).size).toBe(100);
    await w.stop();
    await o.stop();
  }, 60_000);

  it('waits for a file being written to be complete, and skips the same content arriving again', async () => {
    const p = await tempProject();
    const fx = join(p.root, 'effects.txt');
    const o = orchestrator(p, new ActivityRegistry().register('effect', effectActivity(fx)), { pipeline: DEF });
    o.startLoop();
    const w = new InboxWatcher({ orchestrator: o, inbox: p.paths.inbox, archive: p.paths.archive, stabilityMs: 400 });
    await w.start();
    const path = join(p.paths.inbox, 'slow.csv');
    let content = 'id,v\n';
    await writeFile(path, content);
    for (let i = 0; i < 8; i++) {
      await sleep(120);
      const line = `${i},${'x'.repeat(1000)}\n`;
      content += line;
      await appendFile(path, line);
    }
    await until(async () => (await p.store.count('succeeded')) === 1);
    const ex = (await p.store.list())[0]!;
    expect(readFileSync(ex.file!, 'utf8')).toBe(content);
    expect(ex.sha256).toBe(createHash('sha256').update(content).digest('hex'));
    writeFileSync(join(p.paths.inbox, 'again.csv'), content);
    await until(async () => (await p.store.count()) === 2 && (await p.store.count('skipped')) === 1);
    const dup = (await p.store.list({ status: 'skipped' }))[0]!;
    expect(dup.duplicateOf).toBe(ex.id);
    expect((await p.store.events(dup.id)).map((e) => e.type)).toContain('DuplicateDetected');
    await w.stop();
    await o.stop();
  }, 30_000);

  it('with duplicates: process (Orchestrator processDuplicates), the same content arriving again is processed again', async () => {
    const p = await tempProject();
    const o = orchestrator(p, new ActivityRegistry().register('effect', effectActivity(join(p.root, 'fx'))), { pipeline: DEF, processDuplicates: true });
    o.startLoop();
    const w = new InboxWatcher({ orchestrator: o, inbox: p.paths.inbox, archive: p.paths.archive, stabilityMs: 100 });
    await w.start();
    writeFileSync(join(p.paths.inbox, 'a.csv'), 'id\n1\n');
    await until(async () => (await p.store.count('succeeded')) === 1);
    writeFileSync(join(p.paths.inbox, 'b.csv'), 'id\n1\n');
    await until(async () => (await p.store.count('succeeded')) === 2);
    expect(await p.store.count('skipped')).toBe(0);
    await w.stop();
    await o.stop();
  }, 30_000);

  it('recovers a file archived by a process that died before starting its execution', async () => {
    const p = await tempProject();
    const o = orchestrator(p, new ActivityRegistry().register('effect', effectActivity(join(p.root, 'fx'))), { pipeline: DEF });
    mkdirSync(join(p.paths.archive, 'ex-abc-123'), { recursive: true });
    writeFileSync(join(p.paths.archive, 'ex-abc-123', 'lost.csv'), 'id\n1\n');
    const w = new InboxWatcher({ orchestrator: o, inbox: p.paths.inbox, archive: p.paths.archive });
    expect(await w.recover()).toEqual(['ex-abc-123']);
    expect(await w.recover()).toEqual([]);
    await o.runUntilIdle();
    expect((await p.store.require('ex-abc-123')).status).toBe('succeeded');
  });
});
