import { SluiceError } from '../../core/errors.js';
import type { ApprovalOutcome } from '../events.js';
import { type AnyActivityDefinition, defineActivity } from './ActivityDefinition.js';
import type { ActivitySignature, AnySignature } from './ActivitySignature.js';
import type { DeployInput, DeployOutput } from './deployActivity.js';
import type { IngestFeaturesInput, IngestFeaturesOutput } from './ingestFeaturesActivity.js';
import type { NotifyInput, NotifyOutput } from './notifyActivity.js';
import type { RegisterModelInput, RegisterModelOutput } from './registerModelActivity.js';
import type { ReportInput, ReportSummary } from './reportActivity.js';
import type { RunFlowInput, RunFlowOutput } from './runFlowActivity.js';
import type { TrainInput, TrainOutput } from './trainActivity.js';

const runFlow = defineActivity<RunFlowInput, RunFlowOutput>({
  name: 'run_flow',
  uses: 'flow runner',
  summary:
    "runs the project's flow on the batch: the transformed batch (Parquet), the fitted flow (JSON) and its hash in `.sluice/batches/<execution>/<step>/`; idempotent by a manifest written last",
  load: async () => {
    const { runFlowActivity } = await import('./runFlowActivity.js');
    return runFlowActivity;
  },
  input: { file: 'file', flow: 'file' },
  output: { output: 'file', fitted: 'file', flowHash: 'string', rows: 'number', rowsIn: 'number', dropped: 'array', columns: 'array' },
  wiring: { file: [{ input: 'file' }] },
  required: ['file'],
});

const report = defineActivity<ReportInput, ReportSummary>({
  name: 'report',
  uses: 'insights report',
  summary:
    "profiles the `run_flow` output with the project's `target` and `gates`, drift against the last approved batch, the champion scored on the raw batch; files in `.sluice/reports/<execution>/`, served at `/reports/<execution>/report.html`; idempotent by `summary.json` written last",
  load: async (deps) => {
    const { reportActivity } = await import('./reportActivity.js');
    return reportActivity(deps.store, deps.publicUrl);
  },
  input: { file: 'file', rawFile: 'file', target: 'string', gates: 'file', baseline: 'file', flow: 'file' },
  output: {
    verdict: 'string',
    headline: 'string',
    tone: 'string',
    driftPictures: 'array',
    gates: 'array',
    warnings: 'array',
    figures: 'object',
    drift: 'string',
    baseline: 'file',
    reportJson: 'file',
    reportHtml: 'file',
    reportUrl: 'string',
  },
  wiring: { file: [{ activity: 'run_flow', field: 'output' }, { input: 'file' }], rawFile: [{ input: 'file' }] },
  required: ['file'],
});

const notify = defineActivity<NotifyInput, NotifyOutput>({
  name: 'notify',
  uses: 'e-mail, webhooks',
  summary:
    'tells the approvers (e-mail) and the webhooks what the report found, with a link to the execution; a recipient already told for this step is skipped',
  load: async (deps) => {
    const { notifyActivity } = await import('./notifyActivity.js');
    if (!deps.state || !deps.notifications) return unavailable('notify', "the project runtime's state database and notification settings");
    return notifyActivity(deps.state, deps.notifications);
  },
  input: { findings: 'object', file: 'file', channels: 'array' },
  output: { sent: 'array', skipped: 'array', errors: 'array' },
  wiring: { findings: [{ activity: 'report' }], file: [{ input: 'file' }] },
  legacy: { from: 'findings' },
});

const ingestFeatures = defineActivity<IngestFeaturesInput, IngestFeaturesOutput>({
  name: 'ingest_features',
  uses: 'feature store',
  summary: "the `run_flow` output into `featureGroup` (created from the first batch's schema); batch id = execution id, so a batch lands once",
  load: async () => {
    const { ingestFeaturesActivity } = await import('./ingestFeaturesActivity.js');
    return ingestFeaturesActivity;
  },
  input: { file: 'file', group: 'string', recordIdentifier: 'string', eventTime: 'string' },
  output: { group: 'string', created: 'boolean', batchId: 'string', status: 'string', rows: 'number', duplicatesDropped: 'number', onlineWritten: 'number' },
  wiring: { file: [{ activity: 'run_flow', field: 'output' }] },
  required: ['file'],
});

const train = defineActivity<TrainInput, TrainOutput>({
  name: 'train',
  uses: 'AutoML (`src/training`)',
  summary:
    "AutoML on the training rows of the raw batch through the project's flow (defaults from sluice.yaml `model`), then the best candidate and the champion scored on the same held-out rows (see below); idempotent by `train.json` written last",
  load: async () => {
    const { trainActivity } = await import('./trainActivity.js');
    return trainActivity;
  },
  input: {
    file: 'file',
    flow: 'file',
    target: 'string',
    metric: 'string',
    model: 'string',
    timeLimit: 'number',
    holdout: 'number',
    seed: 'number',
    learners: 'array',
    maxCandidates: 'number',
    ensemble: 'boolean',
    allowLeaks: 'array',
  },
  output: {
    model: 'string',
    trainDir: 'file',
    artifactDir: 'file',
    holdoutFile: 'file',
    rows: 'object',
    metric: 'string',
    direction: 'string',
    best: 'object',
    candidates: 'number',
    candidate: 'object',
    champion: 'object',
    betterThanChampion: 'boolean',
    reportHtml: 'file',
    droppedColumns: 'array',
    findings: 'array',
  },
  wiring: { file: [{ input: 'file' }] },
  required: ['file'],
});

const registerModel = defineActivity<RegisterModelInput, RegisterModelOutput>({
  name: 'register_model',
  uses: 'model registry (`src/models`)',
  summary:
    'registers the verified artifact as the next version (status `pending`) with its holdout metric and lineage (batch file and sha256, execution, fitted recipe, insights report, who approved the batch and their comment, training settings); idempotent: the registry keys the version by `<execution>:<step>`',
  load: async () => {
    const { registerModelActivity } = await import('./registerModelActivity.js');
    return registerModelActivity;
  },
  input: { train: 'object', approval: 'object', reportJson: 'file', recipeRun: 'file', file: 'file', sha256: 'string' },
  output: {
    model: 'string',
    version: 'number',
    artifactHash: 'string',
    metric: 'string',
    candidate: 'number',
    champion: 'object',
    betterThanChampion: 'boolean',
  },
  wiring: {
    train: [{ activity: 'train' }],
    approval: [{ approval: true }],
    reportJson: [{ activity: 'report', field: 'reportJson' }],
    recipeRun: [{ activity: 'run_flow', field: 'fitted' }],
    file: [{ input: 'file' }],
    sha256: [{ input: 'sha256' }],
  },
  required: ['train'],
  legacy: { from: 'train' },
});

const deploy = defineActivity<DeployInput, DeployOutput>({
  name: 'deploy',
  uses: 'model registry + endpoint',
  summary:
    'makes the candidate champion when it beats the serving champion on the held-out rows, else keeps it challenger (see below); a rerun finds its history entry and does not act twice',
  load: async () => {
    const { deployActivity } = await import('./deployActivity.js');
    return deployActivity;
  },
  input: { registered: 'object', train: 'object', approvedBy: 'string' },
  output: {
    model: 'string',
    version: 'number',
    decision: 'string',
    reason: 'string',
    comparedWith: 'object',
    metric: 'string',
    candidate: 'number',
    findings: 'array',
  },
  wiring: { registered: [{ activity: 'register_model' }], train: [{ activity: 'train' }], approvedBy: [{ approval: true, field: 'by' }] },
  required: ['registered', 'train'],
  legacy: { from: 'registered' },
});

/** Fails (not retried) the run of an activity whose `deps` lack what it needs, saying what: its code was loaded outside a project runtime. */
function unavailable(name: string, needs: string): never {
  throw new SluiceError('ACTIVITY_UNAVAILABLE', `activity "${name}" needs ${needs}`, {
    retryable: false,
    hint: 'run it in a project (sluice run / serve), or register your own implementation with builtinActivities({ name: ... })',
  });
}

/**
 * Every built-in activity, declared once (`ActivityDefinition`): to add one, write its file
 * (`<name>Activity.ts`) and one entry here. The names a task can use, the registry
 * (`builtinActivities`), the signatures the pipeline loader wires and checks, and the table of
 * docs/pipelines.md (`npm run docs`) derive from this list. Type-only imports and dynamic
 * `load`s: loading a pipeline loads none of the activities' code.
 */
export const BUILTIN_ACTIVITY_DEFINITIONS: readonly AnyActivityDefinition[] = [runFlow, report, notify, ingestFeatures, train, registerModel, deploy];

/** The built-in activity names a pipeline task can use. */
export const BUILTIN_ACTIVITIES: readonly string[] = BUILTIN_ACTIVITY_DEFINITIONS.map((d) => d.name);

/**
 * The typed input and output of every built-in activity, by name: the pipeline loader wires the
 * inputs a task leaves out and checks every `$.results.<state>.<field>` against them.
 */
export const BUILTIN_SIGNATURES: Record<string, AnySignature> = Object.fromEntries(
  BUILTIN_ACTIVITY_DEFINITIONS.map((d) => [d.name, d as unknown as AnySignature]),
);

/** The execution input's known fields (`$.input.<field>`); other fields are whatever the trigger gave. */
export const EXECUTION_INPUT_TYPES: Record<string, 'file' | 'string'> = { file: 'file', sha256: 'string', trigger: 'string', bucket: 'string', key: 'string' };

/** What an approval state shows its approvers (its `input`): the report's findings. */
export interface ApprovalInput {
  findings?: Record<string, unknown>;
}

/**
 * An approval state's typed input and output, wired and checked like a task's: `findings` is
 * wired to the nearest preceding report when the state leaves it out; the result is
 * `$.results.<approval>.<field>`.
 */
export const APPROVAL_SIGNATURE: ActivitySignature<ApprovalInput, ApprovalOutcome> = {
  input: { findings: 'object' },
  output: { decision: 'string', by: 'string', at: 'string', via: 'string', comment: 'string', reason: 'string', ip: 'string', timedOut: 'boolean' },
  wiring: { findings: [{ activity: 'report' }] },
};
