import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { ExecutionInput, ExecutionRecord } from '../../src/pipeline/store/ExecutionStore.js';
import { Orchestrator, type StartOptions } from '../../src/pipeline/Orchestrator.js';
import { loadProject } from '../../src/pipeline/project/loadProject.js';
import { ProjectRuntime } from '../../src/pipeline/project/ProjectRuntime.js';
import { InboxWatcher } from '../../src/pipeline/triggers/InboxWatcher.js';
import { ActivityRegistry, effectActivity, pipeline, tempProject } from './support.js';

const SRC = join(import.meta.dirname, '..', '..', 'src');
const DEF = pipeline(`start: a\nstates:\n  a: { type: task, activity: effect, input: { file: $.input.file }, end: true }\n`);

/** A real orchestrator that notes each start (who started what), then starts it as usual. */
class NotingOrchestrator extends Orchestrator {
  readonly starts: Array<{ input: ExecutionInput; status: string }> = [];
  override async start(input: ExecutionInput, opts: StartOptions = {}): Promise<ExecutionRecord> {
    const rec = await super.start(input, opts);
    this.starts.push({ input, status: rec.status });
    return rec;
  }
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

async function until(cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('triggers start executions through Orchestrator.start, which owns the duplicate rule', () => {
  it('no code but Orchestrator.start records an execution, and only the runtime reads sluice.yaml `duplicates`', () => {
    const creates = sources(SRC).filter((f) => /\bstore\.create\(|\.store\.create\(/.test(readFileSync(f, 'utf8')));
    expect(creates.map((f) => relative(SRC, f))).toEqual(['pipeline/Orchestrator.ts']);
    const rule = sources(SRC).filter((f) => readFileSync(f, 'utf8').includes(".duplicates === 'process'"));
    expect(rule.map((f) => relative(SRC, f))).toEqual(['pipeline/project/ProjectRuntime.ts']);
  });

  it('the inbox and startFile (CLI, HTTP) go through start; a duplicate is skipped', async () => {
    const p = await tempProject();
    const o = new NotingOrchestrator({
      store: p.store,
      activities: new ActivityRegistry().register('effect', effectActivity(join(p.root, 'fx'))),
      project: p.paths,
      pipeline: DEF,
      logger: pino({ level: 'silent' }),
      pollMs: 20,
    });
    o.startLoop();
    const w = new InboxWatcher({ orchestrator: o, inbox: p.paths.inbox, archive: p.paths.archive, stabilityMs: 100 });
    await w.start();
    writeFileSync(join(p.paths.inbox, 'a.csv'), 'id\n1\n');
    await until(() => o.starts.length === 1);
    const other = join(mkdtempSync(join(tmpdir(), 'sluice-trig-')), 'same.csv');
    writeFileSync(other, 'id\n1\n');
    await o.startFile(other);
    await w.stop();
    await o.stop();
    expect(o.starts.map((s) => [s.input.trigger ?? 'file', s.status])).toEqual([
      ['inbox', 'running'],
      ['file', 'skipped'],
    ]);
    // allowDuplicate (--allow-duplicate, the API's allowDuplicate) overrides the rule for one start.
    expect((await o.start({ file: other, sha256: o.starts[0]!.input.sha256 }, { allowDuplicate: true })).status).toBe('running');
  });

  it('sluice.yaml `duplicates: process` reaches every trigger through the runtime orchestrator', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-dup-'));
    writeFileSync(
      join(dir, 'sluice.yaml'),
      'name: dup\nduplicates: process\npipeline:\n  start: a\n  states:\n    a: { type: task, command: [node, -e, "1"], end: true }\n',
    );
    writeFileSync(join(dir, 'x.csv'), 'id\n1\n');
    const runtime = await ProjectRuntime.open(loadProject(dir), { logger: pino({ level: 'silent' }), pollMs: 20 });
    try {
      const first = await runtime.orchestrator.startFile(join(dir, 'x.csv'));
      const again = await runtime.orchestrator.startFile(join(dir, 'x.csv'));
      expect([first.status, again.status]).toEqual(['running', 'running']);
      expect(again.duplicateOf).toBeNull();
    } finally {
      await runtime.close();
    }
  });
});
