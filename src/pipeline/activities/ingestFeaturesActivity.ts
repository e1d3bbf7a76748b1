import type { SluiceConfig } from '../../core/config.js';
import { SluiceError } from '../../core/errors.js';
import { featureStoreFromConfig } from '../../features/featureStoreFromConfig.js';
import type { Activity, ActivityContext } from './Activity.js';
import { rememberOutput } from './rememberOutput.js';

/** The batch to ingest (wired to the preceding run_flow's `output` by default) and where. */
export interface IngestFeaturesInput {
  file?: string;
  group?: string;
  recordIdentifier?: string;
  eventTime?: string;
}

export interface IngestFeaturesOutput {
  group: string;
  created: boolean;
  batchId: string;
  status: 'ingested' | 'already_ingested';
  rows: number;
  duplicatesDropped: number;
  onlineWritten: number;
}

/**
 * The built-in `ingest_features` activity: appends the approved batch (its `file` input: the run_flow output) to
 * the project's feature group — offline Parquet history and online latest record per id —
 * creating the group from the batch's schema the first time, in the stores sluice.yaml's
 * `stores:` names (see `featureStoreFromConfig`). Idempotent: the batch id is the execution id,
 * and the feature store commits a batch id once, offline and online together; a repeat call
 * returns the first call's output (`rememberOutput`).
 */
export const ingestFeaturesActivity: Activity<IngestFeaturesInput, IngestFeaturesOutput> = async (input, ctx) => {
  const config = ctx.config as SluiceConfig | undefined;
  const file = input.file;
  if (!file)
    throw new SluiceError('INGEST_NO_FILE', 'ingest_features has no batch to ingest', {
      retryable: false,
      hint: 'wire the batch: `input: { file: $.results.<run_flow state>.output }`',
    });
  const group = input.group ?? config?.featureGroup?.name ?? (config?.name ?? 'batches').replace(/[^A-Za-z0-9_]/g, '_');
  const recordIdentifier = input.recordIdentifier ?? config?.featureGroup?.recordIdentifier ?? config?.id ?? 'record_id';
  const eventTime = input.eventTime ?? config?.featureGroup?.eventTime ?? 'event_time';
  return rememberOutput(ctx, () => ingestOnce(ctx, config, { file, group, recordIdentifier, eventTime, batchId: ctx.executionId }));
};

/** Creates the group the first time and ingests the batch (idempotent per batch id in the feature store). */
async function ingestOnce(
  { project, state }: Pick<ActivityContext, 'project' | 'state'>,
  config: SluiceConfig | undefined,
  { file, group, recordIdentifier, eventTime, batchId }: { file: string; group: string; recordIdentifier: string; eventTime: string; batchId: string },
): Promise<IngestFeaturesOutput> {
  // The state folder the orchestrator resolved (sluice.yaml's stateDir) is the one the registry must live in;
  // with PostgreSQL state the registry is on the orchestrator's connection, the one every worker shares.
  const store = await featureStoreFromConfig(project.root, config, { stateDir: project.stateDir, ...(state ? { state } : {}) });
  try {
    const exists = async () => (await store.listGroups()).some((g) => g.name === group);
    let created = false;
    if (!(await exists())) {
      try {
        await store.createGroupFromData(
          { file },
          { name: group, recordIdentifier, eventTime, description: 'created by the pipeline from the first approved batch' },
        );
        created = true;
      } catch (e) {
        // Another execution may have created it meanwhile; anything else is a real failure.
        if (!(await exists())) throw e;
      }
    }
    const r = await store.ingest(group, { file }, { batchId });
    return { group, created, batchId: r.batchId, status: r.status, rows: r.rows, duplicatesDropped: r.duplicatesDropped, onlineWritten: r.onlineWritten };
  } finally {
    await store.close();
  }
}
