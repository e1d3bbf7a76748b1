import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { expect } from 'vitest';
import { FeatureStore } from '../../../src/features/FeatureStore.js';
import { ModelRegistry } from '../../../src/models/ModelRegistry.js';
import { initProject } from '../../../src/pipeline/project/initProject.js';
import { loadProject, type Project } from '../../../src/pipeline/project/loadProject.js';
import { ProjectRuntime, type RuntimeOptions } from '../../../src/pipeline/project/ProjectRuntime.js';
import { createAuthGate } from '../../../src/server/auth/createAuthGate.js';
import type { ServerAuthGate } from '../../../src/server/auth/ServerAuthGate.js';
import { hashPassword } from '../../../src/server/auth/password.js';
import { FAST } from '../../support/fastScrypt.js';
import { loadServerSecret } from '../../../src/server/auth/serverSecret.js';
import { createServer } from '../../../src/server/createServer.js';
import { consoleRoutes, type ConsoleEndpoint } from '../../../src/server/console/consoleRoutes.js';
import { rng, tempDir, writeCsv } from '../../support/data.js';

/** A column name that would run script if any page forgot to escape it. */
export const HOSTILE_COLUMN = '<img src=x onerror=alert(1)>';

const PIPELINE = `pipeline:
  name: console
  start: report
  states:
    report: { type: task, activity: report, next: ask }
    ask: { type: approval, timeout: 1h, next: decide }
    decide:
      type: choice
      choices: [{ if: { path: $.results.ask.decision, equals: approved }, next: done }]
      default: rejected
    done: { type: succeed, outcome: approved }
    rejected: { type: succeed, outcome: rejected }`;

export const USERS = ['ana', 'root', 'vic'] as const;
export type UserName = (typeof USERS)[number];

export interface ConsoleProject {
  dir: string;
  project: Project;
  runtime: ProjectRuntime;
  registry: ModelRegistry;
  features: FeatureStore;
  auth: ServerAuthGate;
  app: FastifyInstance;
  /** The session cookie (`name=value`) of each signed-in test user. */
  sessions: Record<UserName, string>;
  close(): Promise<void>;
}

/**
 * A real project in a temp folder (sluice init, then approvers Ana/Root/Vic, gates, a small
 * pipeline report -> approval -> choice), its runtime with the real report activity, the model
 * registry and feature store, and the server with the console mounted.
 */
export async function consoleProject(
  opts: {
    base?: string;
    pipeline?: string;
    editConfig?: (yaml: string) => string;
    activities?: RuntimeOptions['activities'];
    endpoint?: (scope: FastifyInstance, registry: ModelRegistry, auth: ServerAuthGate) => Promise<ConsoleEndpoint>;
  } = {},
): Promise<ConsoleProject> {
  const dir = join(tempDir('sluice-console-'), 'p');
  initProject(dir);
  const [ana, root, vic] = await Promise.all(USERS.map((u) => hashPassword(`${u}-password`, FAST)));
  const yaml = readFileSync(join(dir, 'sluice.yaml'), 'utf8')
    .replace(/^pipeline: default$/m, opts.pipeline ?? PIPELINE)
    .replace(
      '  - name: Change Me\n    email: approver@example.com\n    role: approver',
      `  - { name: ana, email: ana@example.com, role: approver, passwordHash: "${ana}" }\n  - { name: root, role: admin, passwordHash: "${root}" }\n  - { name: vic, role: viewer, passwordHash: "${vic}" }`,
    )
    .replace('webhooks: []', 'webhooks:\n  - { name: team, url: "https://hooks.example.com/services/T000/SECRET-PATH?token=SECRET-QUERY" }')
    .concat('\ns3Events:\n  endpoint: "http://minio-user:minio-pass@127.0.0.1:9000"\n  secretEnv: SLUICE_CONSOLE_TEST_SECRET\n');
  writeFileSync(join(dir, 'sluice.yaml'), opts.editConfig ? opts.editConfig(yaml) : yaml);
  writeFileSync(join(dir, 'gates.yaml'), 'gates:\n  - missing_share < 0.05\n  - rows >= 100\n  - columns.age.mean < 60\n');
  const project = loadProject(dir);
  const runtime = await ProjectRuntime.open(project, { pollMs: 20, ...(opts.activities ? { activities: opts.activities } : {}) });
  const registry = await ModelRegistry.open(dir);
  const features = await FeatureStore.open({ projectDir: dir });
  const auth = createAuthGate({ db: runtime.db, config: project.config, secret: loadServerSecret(project.paths.stateDir), secureCookies: false });
  const serverOptions = {
    project,
    runtime,
    features: false,
    auth,
    console: false,
    // Tests mount their own endpoint (or none); a createServer that mounts one by default is told not to.
    endpoint: false,
    plugins: [
      async (scope: FastifyInstance) => {
        const endpoint = opts.endpoint ? await opts.endpoint(scope, registry, auth) : undefined;
        await scope.register(consoleRoutes, { runtime, auth, registry, features, endpoint, base: opts.base });
      },
    ],
  };
  const app = await createServer(serverOptions);
  const sessions = {} as Record<UserName, string>;
  for (const u of USERS) {
    const r = await auth.login(u, `${u}-password`, { ip: '127.0.0.1' });
    if (!r.ok) throw new Error(`login ${u}: ${r.message}`);
    sessions[u] = auth.sessionCookie(r.sessionId).split(';')[0]!;
  }
  return {
    dir,
    project,
    runtime,
    registry,
    features,
    auth,
    app,
    sessions,
    close: async () => {
      await app.close();
      await runtime.close();
      await features.close();
      await registry.close();
    },
  };
}

/**
 * Writes a batch: `rows` encounters with age, gender, a numeric column with a hostile name, an
 * event time and the target. `shift` moves the age distribution (drift against an earlier batch).
 */
export function writeBatch(dir: string, name: string, rows: number, seed: number, shift = 0): string {
  const r = rng(seed);
  const data: unknown[][] = [];
  for (let i = 0; i < rows; i++) {
    const age = Math.round(30 + r() * 40 + shift);
    data.push([
      seed * 10_000 + i,
      age,
      r() < 0.5 ? 'Female' : 'Male',
      Math.round(r() * 20),
      '2026-11-01T00:00:00Z',
      r() < 0.6 ? 'no' : r() < 0.5 ? '>30' : '<30',
    ]);
  }
  return writeCsv(dir, name, ['encounter_id', 'age', 'gender', HOSTILE_COLUMN, 'event_time', 'readmitted'], data);
}

/** Starts an execution of `file` and drives it until it waits (or ends). */
export async function runToWait(p: ConsoleProject, file: string): Promise<string> {
  const rec = await p.runtime.orchestrator.startFile(file);
  await p.runtime.orchestrator.runUntilIdle();
  const now = await p.runtime.store.require(rec.id);
  expect(now.status, JSON.stringify(now.error)).toBe('waiting');
  return rec.id;
}

/** A GET from a browser, signed in as `user` (anonymous without). */
export function get(p: ConsoleProject, url: string, user?: UserName) {
  return p.app.inject({ method: 'GET', url, headers: { accept: 'text/html', ...(user ? { cookie: p.sessions[user] } : {}) } });
}

/** A form POST from a browser signed in as `user`. */
export function post(p: ConsoleProject, url: string, user: UserName, form: Record<string, string>) {
  const o: InjectOptions = {
    method: 'POST',
    url,
    payload: new URLSearchParams(form).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', cookie: p.sessions[user] },
  };
  return p.app.inject(o);
}

/** The value of the hidden csrf field of the form posting to `action`. */
export function csrfOf(body: string, action: string): string {
  const i = body.indexOf(`action="${action}"`);
  expect(i, `a form posting to ${action}`).toBeGreaterThan(-1);
  const m = /name="csrf" value="([^"]+)"/.exec(body.slice(i));
  return m![1]!;
}
