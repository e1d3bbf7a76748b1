import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { SluiceError } from '../core/errors.js';
import { atomicWriteFile } from '../engine/atomicWriteFile.js';
import { DEFAULT_PIPELINE_SPEC } from '../pipeline/definition/defaultPipeline.js';
import { hashPassword } from '../server/auth/password.js';
import { generatePassword } from './generatePassword.js';

/** The file that marks a folder as made by `sluice demo` (so it may be reused, never anything else). */
export const DEMO_MARKER = '.sluice-demo.json';
export const DEMO_APPROVER = 'demo';
/** Seconds of AutoML search per batch by default: short, so the demo finishes in about a minute. */
export const DEMO_TIME_LIMIT = 20;

/** examples/diabetes, from src/demo or dist/demo alike (the npm package ships examples/). */
export const EXAMPLES_DIR = fileURLToPath(new URL('../../examples/diabetes/', import.meta.url));

export interface DemoProject {
  root: string;
  /** False when an earlier demo's folder is reused (its executions and models are kept). */
  created: boolean;
  createdAt: string;
  approver: { name: string; password: string };
  /** The two batches the demo drops into the inbox: the seed data and the drifted one. */
  data: { clean: string; drift: string };
}

/**
 * Creates the demo project in `dir`, or reuses one an earlier `sluice demo` made there: the
 * diabetes recipe, both data files, the gates, a pipeline file (the default pipeline without
 * e-mail), and `sluice.yaml` with a short training time limit and a `demo` approver whose password is
 * new on every call (only its scrypt hash is written). Refuses a folder that is neither empty nor
 * a demo project, so it never overwrites someone's work.
 */
export async function prepareDemoProject(dir: string, opts: { port: number; timeLimit?: number }): Promise<DemoProject> {
  const root = resolve(dir);
  const marker = join(root, DEMO_MARKER);
  let created = true;
  let createdAt = new Date().toISOString();
  if (existsSync(root)) {
    if (!statSync(root).isDirectory()) {
      throw new SluiceError('DEMO_DIR_IN_USE', `${root} is a file, not a folder`, { hint: 'pass another folder with --dir' });
    }
    if (existsSync(marker)) {
      created = false;
      createdAt = readMarker(marker) ?? createdAt;
    } else if (readdirSync(root).length > 0) {
      throw new SluiceError('DEMO_DIR_IN_USE', `${root} is not empty and was not made by \`sluice demo\`; nothing was changed`, {
        hint: 'pass an empty or new folder with --dir (e.g. --dir ./sluice-demo-2)',
      });
    }
  }
  for (const d of ['', 'flows', 'data', 'inbox']) mkdirSync(join(root, d), { recursive: true });
  if (created) writeFileSync(marker, JSON.stringify({ createdBy: 'sluice demo', createdAt }, null, 2) + '\n');

  const clean = join(root, 'data', 'diabetic-readmission.csv');
  const drift = join(root, 'data', 'diabetic-readmission-drift.csv');
  copyIfChanged(join(EXAMPLES_DIR, 'diabetic-readmission.csv'), clean);
  copyIfChanged(join(EXAMPLES_DIR, 'diabetic-readmission-drift.csv'), drift);
  copyIfChanged(join(EXAMPLES_DIR, 'diabetes.flow.yaml'), join(root, 'flows', 'diabetes.flow.yaml'));
  copyIfChanged(join(EXAMPLES_DIR, 'diabetes.gates.yaml'), join(root, 'gates.yaml'));
  await atomicWriteFile(join(root, 'pipeline.yaml'), demoPipelineYaml());
  await atomicWriteFile(join(root, '.gitignore'), '# Sluice state (database, reports, models): machine-local, never committed.\n.sluice/\narchive/\n');
  const password = generatePassword();
  await atomicWriteFile(
    join(root, 'sluice.yaml'),
    demoConfigYaml({ port: opts.port, passwordHash: await hashPassword(password), timeLimit: opts.timeLimit ?? DEMO_TIME_LIMIT }),
  );
  return { root, created, createdAt, approver: { name: DEMO_APPROVER, password }, data: { clean, drift } };
}

function readMarker(file: string): string | undefined {
  try {
    const m = JSON.parse(readFileSync(file, 'utf8')) as { createdAt?: unknown };
    return typeof m.createdAt === 'string' ? m.createdAt : undefined;
  } catch {
    return undefined;
  }
}

function copyIfChanged(from: string, to: string): void {
  if (!existsSync(from)) {
    throw new SluiceError('DEMO_DATA_MISSING', `the demo's file ${from} is missing`, { hint: 'reinstall sluice: the package ships examples/diabetes/' });
  }
  if (existsSync(to) && statSync(to).size === statSync(from).size && readFileSync(to).equals(readFileSync(from))) return;
  copyFileSync(from, `${to}.tmp`);
  // A rename, so nobody ever reads half a file.
  renameSync(`${to}.tmp`, to);
}

/** The default pipeline without approval e-mail (the demo prints the decision link). */
export function demoPipelineYaml(): string {
  const spec = structuredClone(DEFAULT_PIPELINE_SPEC) as unknown as {
    name: string;
    description: string;
    states: Record<string, Record<string, unknown> & { branches?: Array<{ states: Record<string, Record<string, unknown>> }> }>;
  };
  spec.name = 'demo';
  spec.description = 'The default pipeline, without approval e-mail: the demo prints the decision link.';
  if (spec.states.approval) spec.states.approval.notify = [];
  return `# The demo's pipeline, written by \`sluice demo\`: the default pipeline (docs/pipelines.md) without
# approval e-mail (there is no mail server in the demo; it prints the decision link instead).
${stringify(spec, { lineWidth: 120 })}`;
}

/** The demo's sluice.yaml. */
export function demoConfigYaml(o: { port: number; passwordHash: string; timeLimit: number }): string {
  return `# The Sluice demo project, written by \`sluice demo\` (rewritten each time the demo runs here).
# Reference: docs/configuration.md. Run it without the demo: sluice serve -p <this folder>
name: diabetes-readmission
inbox: inbox
archive: archive
# Files are copied in by the demo, so a short stability wait is enough.
stabilityMs: 300
stateDir: .sluice
concurrency: 2
duplicates: process
flow: flows/diabetes.flow.yaml
target: readmitted
gates: gates.yaml
# The model approved batches train (a short AutoML search, so the demo finishes in about a minute).
model:
  name: readmission
  timeLimit: ${o.timeLimit}
featureGroup:
  name: encounters
  recordIdentifier: record_id
  eventTime: event_time
server:
  host: 127.0.0.1
  port: ${o.port}
approvers:
  # The demo approver's password is printed by \`sluice demo\` and changes on every run.
  - name: ${DEMO_APPROVER}
    role: approver
    passwordHash: ${JSON.stringify(o.passwordHash)}
pipeline: pipeline.yaml
`;
}
