import type { ApprovalOutcome } from '../events.js';
import type { ActivitySignature, AnySignature } from './ActivitySignature.js';
import type { DeployInput, DeployOutput } from './deployActivity.js';
import type { IngestFeaturesInput, IngestFeaturesOutput } from './ingestFeaturesActivity.js';
import type { NotifyInput, NotifyOutput } from './notifyActivity.js';
import type { RegisterModelInput, RegisterModelOutput } from './registerModelActivity.js';
import type { ReportInput, ReportSummary } from './reportActivity.js';
import type { RunFlowInput, RunFlowOutput } from './runFlowActivity.js';
import type { TrainInput, TrainOutput } from './trainActivity.js';

const runFlow: ActivitySignature<RunFlowInput, RunFlowOutput> = {
  input: { file: 'file', flow: 'file' },
  output: { output: 'file', fitted: 'file', flowHash: 'string', rows: 'number', rowsIn: 'number', dropped: 'array', columns: 'array' },
  wiring: { file: [{ input: 'file' }] },
  required: ['file'],
};

const report: ActivitySignature<ReportInput, ReportSummary> = {
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
};

const notify: ActivitySignature<NotifyInput, NotifyOutput> = {
  input: { findings: 'object', file: 'file', channels: 'array' },
  output: { sent: 'array', skipped: 'array', errors: 'array' },
  wiring: { findings: [{ activity: 'report' }], file: [{ input: 'file' }] },
  legacy: { from: 'findings' },
};

const ingestFeatures: ActivitySignature<IngestFeaturesInput, IngestFeaturesOutput> = {
  input: { file: 'file', group: 'string', recordIdentifier: 'string', eventTime: 'string' },
  output: { group: 'string', created: 'boolean', batchId: 'string', status: 'string', rows: 'number', duplicatesDropped: 'number', onlineWritten: 'number' },
  wiring: { file: [{ activity: 'run_flow', field: 'output' }] },
  required: ['file'],
};

const train: ActivitySignature<TrainInput, TrainOutput> = {
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
};

const registerModel: ActivitySignature<RegisterModelInput, RegisterModelOutput> = {
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
};

const deploy: ActivitySignature<DeployInput, DeployOutput> = {
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
};

/**
 * The typed input and output of every built-in activity, by name: the pipeline loader wires the
 * inputs a task leaves out and checks every `$.results.<state>.<field>` against them. Type-only
 * imports: loading a pipeline loads none of the activities' code.
 */
export const BUILTIN_SIGNATURES: Record<string, AnySignature> = {
  run_flow: runFlow,
  report,
  notify,
  ingest_features: ingestFeatures,
  train,
  register_model: registerModel,
  deploy,
} as unknown as Record<string, AnySignature>;

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
