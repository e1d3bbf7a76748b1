import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelRegistry } from '../../src/models/ModelRegistry.js';
import { loadProject } from '../../src/pipeline/project/loadProject.js';
import { SERVING_V8_FLAGS, hasServingV8Flags, withServingV8Flags } from '../../src/server/servingV8Flags.js';
import { cli } from '../state/liveProject.js';
import { type EndpointProcess, startEndpoint } from '../support/endpointProcess.js';

const MiB = 2 ** 20;

/** V8's heap limit (old generation + 3 semi-spaces) of `node ARGS -e ...`, in MiB. */
function heapLimitMiB(args: readonly string[], code = ''): number {
  const r = spawnSync(process.execPath, [...args, '-e', `${code};console.log(require('node:v8').getHeapStatistics().heap_size_limit)`], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  expect(r.status, r.stderr).toBe(0);
  return Number(r.stdout.trim()) / MiB;
}

describe('the serving V8 flags (a larger young generation)', () => {
  it('take effect from the command line (semi-spaces of 32 MB: the heap limit grows by 3 × 16 MB), not from v8.setFlagsFromString at run time', () => {
    expect(SERVING_V8_FLAGS).toEqual(['--max-semi-space-size=32']);
    const plain = heapLimitMiB([]);
    expect(heapLimitMiB(SERVING_V8_FLAGS) - plain).toBe(48);
    // Why the serving processes are started with the flag: set at run time, it changes nothing.
    expect(heapLimitMiB([], `require('node:v8').setFlagsFromString(${JSON.stringify(SERVING_V8_FLAGS[0])})`)).toBe(plain);
  });

  it('are added to a command line unless the operator gave the flag (command line or NODE_OPTIONS, either spelling)', () => {
    expect(withServingV8Flags(['--import', 'tsx'], '')).toEqual(['--import', 'tsx', '--max-semi-space-size=32']);
    expect(withServingV8Flags(['--max-semi-space-size=64'], '')).toEqual(['--max-semi-space-size=64']);
    expect(withServingV8Flags(['--max_semi_space_size=8'], '')).toEqual(['--max_semi_space_size=8']);
    expect(withServingV8Flags([], '--enable-source-maps  --max-semi-space-size=16')).toEqual([]);
    expect(withServingV8Flags(['--max-old-space-size=512'], '--max-old-space-size=256')).toEqual(['--max-old-space-size=512', '--max-semi-space-size=32']);
    expect(hasServingV8Flags([], '')).toBe(false);
    expect(hasServingV8Flags(['--max-semi-space-size=32'], '')).toBe(true);
  });
});

/** A project (`sluice init`) with a champion (the gbdt fixture artifact). */
async function project(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-v8flags-'));
  const init = await cli(dir, ['init', '.']);
  if (init.code !== 0) throw new Error(init.stderr);
  const p = loadProject(dir);
  const registry = await ModelRegistry.open(p.root, p.paths.stateDir);
  await registry.register(resolve('test/fixtures/artifacts/train-v1/model'), { name: 'readmission', status: 'approved', by: 'test' });
  await registry.promote('readmission', 1, 'champion', 'test');
  await registry.close();
  return dir;
}

/** The pids that serve (each logs Fastify's `Server listening`) and each one's command line. */
function servingProcesses(s: EndpointProcess): Array<{ pid: number; argv: string[] }> {
  const pids = [...new Set(s.lines.filter((l) => String(l.msg).startsWith('Server listening')).map((l) => Number(l.pid)))];
  return pids.map((pid) => ({ pid, argv: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0') }));
}

async function stop(s: EndpointProcess): Promise<void> {
  process.kill(s.pid, 'SIGTERM');
  expect(await s.exited).toBe(0);
}

// Reads /proc/PID/cmdline: Linux, as every machine of this project (a test that skips itself is refused, tiers.test.ts).
describe('sluice serve --role endpoint runs its serving processes with the serving V8 flags', () => {
  it('one worker started with the flags when serve itself was not; --workers 2: both; started with them (NODE_OPTIONS): one process', async () => {
    const dir = await project();
    // Answers once the champion is loaded (each worker loads it after it listens): up to 20 s.
    const ok = async (base: string): Promise<void> => {
      let status = 0;
      for (let i = 0; i < 400 && status !== 200; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 50));
        const r = await fetch(`${base}/invocations`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'age,color,score\n20,red,6.99\n' });
        await r.arrayBuffer();
        status = r.status;
      }
      expect(status).toBe(200);
    };
    for (const workers of [1, 2]) {
      const s = await startEndpoint(dir, workers === 1 ? [] : ['--workers', String(workers)]);
      try {
        await ok(s.base);
        const serving = servingProcesses(s);
        expect(serving).toHaveLength(workers);
        for (const p of serving) {
          expect(p.pid).not.toBe(s.pid); // the primary only accepts and supervises
          expect(p.argv).toContain('--max-semi-space-size=32');
        }
        // The primary does not serve, and was started without the flag.
        expect(readFileSync(`/proc/${s.pid}/cmdline`, 'utf8').split('\0')).not.toContain('--max-semi-space-size=32');
        await stop(s);
      } finally {
        try {
          process.kill(s.pid, 'SIGKILL');
        } catch {
          // stopped
        }
      }
    }
    // Started with the flag already (here through NODE_OPTIONS, the operator's own value kept): serves by itself.
    const s = await startEndpoint(dir, [], { NODE_OPTIONS: '--max-semi-space-size=24' });
    try {
      await ok(s.base);
      expect(servingProcesses(s).map((p) => p.pid)).toEqual([s.pid]);
      expect(readFileSync(`/proc/${s.pid}/environ`, 'utf8')).toContain('NODE_OPTIONS=--max-semi-space-size=24');
      await stop(s);
    } finally {
      try {
        process.kill(s.pid, 'SIGKILL');
      } catch {
        // stopped
      }
    }
  }, 120_000);
});
