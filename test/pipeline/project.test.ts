import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, configSchema } from '../../src/core/config.js';
import { initProject } from '../../src/pipeline/project/initProject.js';
import { parseFlow } from '../../src/flow/loadFlow.js';
import { loadProject } from '../../src/pipeline/project/loadProject.js';
import { errorOf } from '../support/errors.js';
import { runCliInProcess } from '../support/runCliInProcess.js';
import { SLUICE_BIN } from '../support/sluiceBin.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = SLUICE_BIN;

/** `sluice ARGS` in CWD (default: the repository), the built CLI in this process. */
async function sluice(args: string[], cwd?: string): Promise<{ code: number; out: string; err: string }> {
  const r = await runCliInProcess(args, { cwd: cwd ?? ROOT, env: { SLUICE_LOG: 'silent' } });
  return { code: r.code, out: r.stdout, err: r.stderr };
}

const PIPE = `
pipeline:
  name: cli
  start: copy
  states:
    copy:
      type: task
      command: [node, -e, "process.stdout.write(JSON.stringify({ step: process.env.SLUICE_STEP, rows: 2 }))"]
      next: ask
    ask: { type: approval, timeout: 1h, next: decide }
    decide:
      type: choice
      choices: [{ if: { path: $.results.ask.decision, equals: approved }, next: ok }]
      default: no
    ok: { type: succeed, outcome: approved }
    no: { type: succeed, outcome: rejected }
`;

function project(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'sluice-proj-')), 'p');
  initProject(dir);
  const yaml = readFileSync(join(dir, 'sluice.yaml'), 'utf8').replace(/^pipeline: default$/m, PIPE.trim());
  writeFileSync(join(dir, 'sluice.yaml'), yaml);
  return dir;
}

describe('project', () => {
  it('init writes every setting, commented, plus flows/, inbox/, .gitignore; the result loads; a second init refuses', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'sluice-init-')), 'demo');
    const created = initProject(dir);
    expect(created).toEqual(expect.arrayContaining(['sluice.yaml', 'flows/', 'flows/main.flow.yaml', 'inbox/', '.gitignore']));
    // the flow sluice.yaml names exists and is valid as written
    expect(parseFlow(readFileSync(join(dir, 'flows/main.flow.yaml'), 'utf8')).steps).toEqual([]);
    const text = readFileSync(join(dir, 'sluice.yaml'), 'utf8');
    for (const key of Object.keys(configSchema.shape)) expect(text, key).toMatch(new RegExp(`^#? ?${key}:`, 'm'));
    for (const key of Object.keys(configSchema.shape.smtp.unwrap().shape)) expect(text, `smtp.${key}`).toMatch(new RegExp(`^#\\s+${key}:`, 'm'));
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toContain('.sluice/');
    const p = loadProject(dir);
    expect(p.config.name).toBe('demo');
    expect(p.pipeline.name).toBe('default');
    expect(p.paths.inbox).toBe(join(dir, 'inbox'));
    const before = readFileSync(join(dir, 'sluice.yaml'), 'utf8');
    expect(errorOf(() => initProject(dir)).code).toBe('PROJECT_EXISTS');
    expect(readFileSync(join(dir, 'sluice.yaml'), 'utf8')).toBe(before);
  });

  it('a broken sluice.yaml names the key and the line', async () => {
    const dir = project();
    const file = join(dir, 'sluice.yaml');
    const good = readFileSync(file, 'utf8');
    const lineOf = (needle: string, text: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

    writeFileSync(file, good.replace('concurrency: 4', 'concurrency: many'));
    let e = errorOf(() => loadProject(dir));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain('concurrency');
    expect(e.location).toMatchObject({ file, field: 'concurrency', line: lineOf('concurrency: 4', good) });

    writeFileSync(file, good.replace('    role: approver', '    role: boss'));
    e = errorOf(() => loadProject(dir));
    expect(e.location).toMatchObject({ field: 'approvers.0.role', line: lineOf('role: approver', good) });

    writeFileSync(file, good.replace('inbox: inbox', 'inbox: inbox\ninbx: typo'));
    e = errorOf(() => loadProject(dir));
    expect(e.message).toContain('inbx');
    expect(e.location?.line).toBe(lineOf('inbox: inbox', good) + 1);

    writeFileSync(file, good.replace('    ask: { type: approval, timeout: 1h, next: decide }', '    ask: { type: approval, timeout: 1h, next: decidee }'));
    e = errorOf(() => loadProject(dir));
    expect(e.code).toBe('PIPELINE_INVALID');
    expect(e.location).toMatchObject({ file, step: 'ask', field: 'next', line: lineOf('ask: { type: approval', good) });

    writeFileSync(file, good.replace('name: "p"', 'name: "p'));
    e = errorOf(() => loadProject(dir));
    expect(e.code).toBe('YAML_SYNTAX');
    expect(e.location?.line).toBeGreaterThan(0);
  });

  it('docs/config.schema.json is generated from the zod schema', async () => {
    const path = join(ROOT, 'docs', 'config.schema.json');
    const generated = JSON.stringify(configJsonSchema(), null, 2) + '\n';
    if (process.env.SLUICE_UPDATE_SCHEMAS) writeFileSync(path, generated);
    expect(readFileSync(path, 'utf8')).toBe(generated);
  });

  it('CLI: run --wait drives to the approval; approve and reject decide; executions list/show/history print', async () => {
    const dir = project();
    const yaml = readFileSync(join(dir, 'sluice.yaml'), 'utf8').replace(
      '  - name: Change Me\n    email: approver@example.com\n    role: approver',
      '  - { name: Ana, email: ana@example.com, role: approver }\n  - { name: Vic, role: viewer }',
    );
    writeFileSync(join(dir, 'sluice.yaml'), yaml);
    writeFileSync(join(dir, 'a.csv'), 'id,v\n1,2\n');
    writeFileSync(join(dir, 'b.csv'), 'id,v\n3,4\n');
    // run without --wait records the execution; run --wait on another drives it to the approval.
    const started = await sluice(['run', 'a.csv', '-p', dir], dir);
    expect(started.code, started.err).toBe(0);
    const idA = /started (ex-\S+)/.exec(started.out)![1]!;
    const dup = await sluice(['run', 'a.csv', '-p', dir], dir);
    expect(dup.out).toMatch(/skipped: the same content was already processed by /);
    // --wait drives every due execution of the project until it reaches the approval; decide from another process.
    const list0 = await sluice(['executions', 'list', '-p', dir]);
    expect(list0.out).toContain(idA);
    expect(list0.out).toContain('skipped');

    const child = spawnSync(
      process.execPath,
      [
        '-e',
        `
      const { spawn, execFileSync } = require('node:child_process');
      const run = spawn(process.execPath, [${JSON.stringify(CLI)}, 'run', 'b.csv', '--wait', '-p', ${JSON.stringify(dir)}], { cwd: ${JSON.stringify(dir)}, env: { ...process.env, SLUICE_LOG: 'silent' } });
      let out = '';
      run.stdout.on('data', (d) => {
        out += d;
        const m = /waiting at ask; decide with \`sluice approve (ex-\\S+)\`/.exec(out);
        if (m && !out.includes('DECIDED')) {
          out += 'DECIDED';
          execFileSync(process.execPath, [${JSON.stringify(CLI)}, 'approve', m[1], '--comment', 'fine by me', '--as', 'ana', '-p', ${JSON.stringify(dir)}]);
        }
      });
      run.on('exit', (code) => { process.stdout.write(out); process.exit(code); });
    `,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(child.status, child.stderr).toBe(0);
    expect(child.stdout).toMatch(/ApprovalDecided\s+ask\s+approved by Ana from cli /);
    expect(child.stdout).toMatch(/comment="fine by me"/);
    expect(child.stdout).toMatch(/succeeded \(approved\)/);
    expect(child.stdout).toMatch(/ActivitySucceeded\s+copy\s+attempt=1 \d+ms \{"step":"copy","rows":2\}/);

    // A viewer cannot decide; a rejection needs a reason; the execution a.csv is still waiting (driven by --wait above).
    expect((await sluice(['approve', idA, '--as', 'Vic', '-p', dir])).err).toContain('APPROVAL_FORBIDDEN');
    expect((await sluice(['reject', idA, '-p', dir])).err).toContain("required option '-r, --reason <text>' not specified");
    const rej = await sluice(['reject', idA, '--reason', 'drift on age', '-p', dir]);
    expect(rej.code, rej.err).toBe(0);
    expect(rej.out).toMatch(/rejected by Ana at .*: drift on age/);
    const again = await sluice(['approve', idA, '-p', dir]);
    expect(again.code).toBe(1);
    expect(again.err).toContain('error[APPROVAL_NOT_WAITING]');
    expect(again.err).toContain('already rejected by Ana');

    const show = await sluice(['executions', 'show', idA, '-p', dir]);
    expect(show.out).toMatch(/status\s+waiting/);
    expect(show.out).toMatch(/▶ ask\s+approval \(1h, reject\)/);
    expect(show.out).toMatch(/✓ copy/);
    const hist = await sluice(['executions', 'history', idA, '-p', dir]);
    expect(hist.out).toMatch(/ApprovalDecided\s+ask\s+rejected by Ana .*reason="drift on age"/);
    expect((await sluice(['executions', 'show', 'ex-nope', '-p', dir])).err).toContain('error[EXECUTION_NOT_FOUND]');
  }, 120_000);
});
