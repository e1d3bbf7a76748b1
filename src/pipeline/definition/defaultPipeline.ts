import type { Pipeline } from './pipelineSchema.js';
import { validatePipelineObject } from './parsePipeline.js';

/**
 * The pipeline used when a project configures none: the seed's Step Functions story, done
 * durably. A file arrives -> the flow runs -> the insights report (gates, drift) -> the approvers
 * are notified -> a human approves or rejects (7 days, then reject) -> on approval the batch is
 * ingested into the feature store while candidates are trained -> the best model is registered
 * -> it is deployed if it beats the champion on the holdout metric (the execution ends `deployed`
 * only when its model became champion; else `challenger` or `champion kept`). A rejection (or a timeout)
 * is recorded and ends the execution; nothing downstream changes.
 *
 * Each task's `input` wires its data explicitly (`$.results.<state>.<field>`): the loader checks
 * every reference, and a pipeline file that leaves them out gets this same wiring, derived at load.
 */
export const DEFAULT_PIPELINE_SPEC = {
  name: 'default',
  description: 'New data in, report, human approval, features and models, deployment if better.',
  start: 'run_flow',
  states: {
    run_flow: { type: 'task', activity: 'run_flow', input: { file: '$.input.file' }, retry: { count: 2, backoff: '5s' }, timeout: '1h', next: 'report' },
    report: {
      type: 'task',
      activity: 'report',
      input: { file: '$.results.run_flow.output', rawFile: '$.input.file' },
      retry: { count: 1, backoff: '5s' },
      timeout: '1h',
      next: 'notify',
    },
    notify: {
      type: 'task',
      activity: 'notify',
      input: { findings: '$.results.report', file: '$.input.file' },
      retry: { count: 3, backoff: '10s' },
      timeout: '2m',
      next: 'approval',
    },
    approval: {
      type: 'approval',
      input: { findings: '$.results.report' },
      timeout: '7d',
      default: 'reject',
      remind: '1d',
      maxReminders: 3,
      next: 'decision',
    },
    decision: {
      type: 'choice',
      choices: [{ if: { path: '$.results.approval.decision', equals: 'approved' }, next: 'build' }],
      default: 'rejected',
    },
    build: {
      type: 'parallel',
      branches: [
        {
          name: 'features',
          start: 'ingest_features',
          states: {
            ingest_features: {
              type: 'task',
              activity: 'ingest_features',
              input: { file: '$.results.run_flow.output' },
              retry: { count: 2 },
              timeout: '1h',
              end: true,
            },
          },
        },
        {
          name: 'models',
          start: 'train',
          states: { train: { type: 'task', activity: 'train', input: { file: '$.input.file' }, retry: { count: 1 }, timeout: '6h', end: true } },
        },
      ],
      next: 'register_model',
    },
    register_model: {
      type: 'task',
      activity: 'register_model',
      input: {
        train: '$.results.train',
        approval: '$.results.approval',
        reportJson: '$.results.report.reportJson',
        recipeRun: '$.results.run_flow.fitted',
        file: '$.input.file',
        sha256: '$.input.sha256',
      },
      retry: { count: 2 },
      timeout: '10m',
      next: 'better',
    },
    better: {
      type: 'choice',
      choices: [{ if: { path: '$.results.register_model.betterThanChampion', equals: true }, next: 'deploy' }],
      default: 'kept_champion',
    },
    deploy: {
      type: 'task',
      activity: 'deploy',
      input: { registered: '$.results.register_model', train: '$.results.train', approvedBy: '$.results.approval.by' },
      retry: { count: 2 },
      timeout: '10m',
      next: 'deployed_or_not',
    },
    // The champion is read again at deploy time: a candidate that no longer beats it (another
    // execution deployed meanwhile) stays challenger, and the execution says so, not "deployed".
    deployed_or_not: {
      type: 'choice',
      choices: [{ if: { path: '$.results.deploy.decision', equals: 'champion' }, next: 'deployed' }],
      default: 'challenger',
    },
    deployed: { type: 'succeed', outcome: 'deployed' },
    challenger: { type: 'succeed', outcome: 'challenger' },
    kept_champion: { type: 'succeed', outcome: 'champion kept' },
    rejected: { type: 'succeed', outcome: 'rejected' },
  },
} as const;

/** The default pipeline, validated (a fresh copy each call: callers may not share mutations). */
export function defaultPipeline(): Pipeline {
  return validatePipelineObject(structuredClone(DEFAULT_PIPELINE_SPEC));
}
