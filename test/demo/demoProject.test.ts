import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DEMO_MARKER, prepareDemoProject } from '../../src/demo/demoProject.js';
import { verifyPassword } from '../../src/server/auth/password.js';
import { loadProject } from '../../src/pipeline/project/loadProject.js';
import { tempDir } from '../support/data.js';
import { sluiceArgs } from '../support/sluiceBin.js';

describe('prepareDemoProject', () => {
  it('creates a valid project: recipe, data, gates, pipeline with a short time limit, a demo approver with an scrypt hash', async () => {
    const dir = join(tempDir('sluice-demo-'), 'sluice-demo');
    const demo = await prepareDemoProject(dir, { port: 7399 });
    expect(demo.created).toBe(true);
    for (const f of [
      DEMO_MARKER,
      'sluice.yaml',
      'pipeline.yaml',
      'gates.yaml',
      'flows/diabetes.flow.yaml',
      'data/diabetic-readmission.csv',
      'data/diabetic-readmission-drift.csv',
      'inbox',
    ]) {
      expect(existsSync(join(dir, f)), f).toBe(true);
    }
    const project = loadProject(dir);
    expect(project.config.target).toBe('readmitted');
    expect(project.config.server.port).toBe(7399);
    expect(project.config.gates).toBe('gates.yaml');
    expect(project.pipeline.name).toBe('demo');
    expect(project.config.model).toMatchObject({ name: 'readmission', timeLimit: 20 });
    expect(project.pipeline.states.approval).toMatchObject({ type: 'approval', notify: [] });
    const [approver] = project.config.approvers;
    expect(approver).toMatchObject({ name: 'demo', role: 'approver' });
    expect(approver!.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(await verifyPassword(demo.approver.password, approver!.passwordHash!)).toBe(true);
    expect(await verifyPassword(`${demo.approver.password}x`, approver!.passwordHash!)).toBe(false);
    expect(readFileSync(join(dir, 'sluice.yaml'), 'utf8')).not.toContain(demo.approver.password);
  });

  it('reuses a folder an earlier demo made, with a new password; keeps its state', async () => {
    const dir = tempDir('sluice-demo-');
    const first = await prepareDemoProject(dir, { port: 7300 });
    mkdirSync(join(dir, '.sluice'), { recursive: true });
    writeFileSync(join(dir, '.sluice', 'keep.txt'), 'state');
    const again = await prepareDemoProject(dir, { port: 7301 });
    expect(again.created).toBe(false);
    expect(again.createdAt).toBe(first.createdAt);
    expect(again.approver.password).not.toBe(first.approver.password);
    const hash = (parse(readFileSync(join(dir, 'sluice.yaml'), 'utf8')) as { approvers: Array<{ passwordHash: string }> }).approvers[0]!.passwordHash;
    expect(await verifyPassword(again.approver.password, hash)).toBe(true);
    expect(await verifyPassword(first.approver.password, hash)).toBe(false);
    expect(readFileSync(join(dir, '.sluice', 'keep.txt'), 'utf8')).toBe('state');
  });

  it('refuses a folder that is not empty and not a demo project, and changes nothing', async () => {
    const dir = tempDir('sluice-demo-');
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    await expect(prepareDemoProject(dir, { port: 7300 })).rejects.toMatchObject({ code: 'DEMO_DIR_IN_USE', hint: expect.stringContaining('--dir') });
    expect(existsSync(join(dir, 'sluice.yaml'))).toBe(false);
    expect(existsSync(join(dir, 'data'))).toBe(false);
    const file = join(dir, 'notes.txt');
    await expect(prepareDemoProject(file, { port: 7300 })).rejects.toMatchObject({ code: 'DEMO_DIR_IN_USE' });
  });

  it('--time-limit sets the seconds of AutoML search per batch; a value that is not a positive number is refused before anything is made', async () => {
    const dir = join(tempDir('sluice-demo-'), 'sluice-demo');
    await prepareDemoProject(dir, { port: 7300, timeLimit: 8 });
    expect(loadProject(dir).config.model).toMatchObject({ name: 'readmission', timeLimit: 8 });
    for (const bad of ['0', '-3', 'soon']) {
      const other = join(tempDir('sluice-demo-'), 'sluice-demo');
      const r = spawnSync(process.execPath, sluiceArgs(['demo', '--auto-approve', '--dir', other, '--port', '0', '--time-limit', bad]), { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toContain(`--time-limit must be a number of seconds above 0, not "${bad}"`);
      expect(r.stderr).toContain('e.g. --time-limit 20');
      expect(existsSync(other)).toBe(false);
    }
  });
});
