import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FolderStore } from '../../storage/FolderStore.js';
import { versionArtifact } from '../../models/versionArtifact.js';
import type { ModelRegistry } from '../../models/ModelRegistry.js';
import type { AuthGate } from '../auth/AuthGate.js';
import { invocationsRoutes, type InvocationsRoutesOptions } from '../routes/invocations.js';
import { metricsRoutes } from '../routes/metrics.js';
import { modelsRoutes } from '../routes/models.js';
import type { InvocationGuard } from './invocationGuard.js';
import { followChampion, type ChampionFollower } from './followChampion.js';
import { loadFlowModelPredictor } from './FlowModelPredictor.js';
import { ModelHost, type FallbackNote } from './ModelHost.js';
import { PredictionLog, type PredictionLogStats } from './PredictionLog.js';
import { parseOutputKeys, type OutputKey } from './predictionOutput.js';
import { ServingMetrics } from './ServingMetrics.js';

export interface MountEndpointOptions {
  registry: ModelRegistry;
  /** Where versions' files are kept (`stores.artifacts`): a champion this machine has no copy of is fetched and checked from there. */
  artifacts?: FolderStore;
  /** The registered model whose champion is served. */
  model: string;
  /** Fraction of requests logged to the `predictions` table of the shared state (0, the default, logs nothing). */
  sampleRate?: number;
  bodyLimit?: number;
  maxRecords?: number;
  featureLookup?: InvocationsRoutesOptions['featureLookup'];
  /** How often to look for champion changes made by other processes (ms, default 1000). */
  pollMs?: number;
  /** Who makes registry changes over HTTP (default: the X-Sluice-User header or body "by"). */
  whoIs?: (req: FastifyRequest) => string | undefined;
  /** Authentication for the `/models` routes: viewers read, only admins change (and it is audited). */
  auth?: AuthGate;
  /**
   * Autopilot response keys answered when a request does not choose them; default: the
   * `SAGEMAKER_INFERENCE_OUTPUT` environment variable (`predicted_label,probability`), as SageMaker's containers read it.
   */
  outputKeys?: OutputKey[];
  /** Token auth and rate limit of `POST /invocations` (see invocationGuard.ts). */
  guard?: InvocationGuard;
  /** Told about a champion that failed to load (the previous one keeps serving). */
  onLoadError?: (e: unknown) => void;
  /** Told when an earlier champion serves because the champion cannot be loaded (or none loads). */
  onFallback?: (note: FallbackNote) => void;
  /**
   * Mount the registry routes under `/api/models` (default true). `sluice serve --role endpoint`
   * leaves them out: its processes only serve, and follow the changes the main server or the CLI make.
   */
  registryRoutes?: boolean;
  /** Told when sampled predictions are not logged because the log's queue is full (the disk cannot keep up). */
  onLogDrop?: (stats: PredictionLogStats) => void;
}

export interface MountedEndpoint {
  host: ModelHost;
  metrics: ServingMetrics;
  follower: ChampionFollower;
  predictionLog: PredictionLog | undefined;
  /** Stops following the registry and writes the prediction log's queue. */
  close(): Promise<void>;
}

/**
 * Everything the server needs for serving, in one call: registers `/invocations`, `/ping`,
 * `/metrics` and the registry routes under `/api/models` on `app`, serving the champion of `model` from the
 * registry (loaded with {@link loadFlowModelPredictor}, swapped on promotion and rollback).
 * Does not wait for the champion to load; `await mounted.follower.ready` to do so.
 *
 * @example
 * const endpoint = await mountEndpoint(app, { registry, model: 'readmission', sampleRate: 0.05 });
 * endpoint.metrics.addCollector('sluice_executions', 'Executions by state.', 'gauge', countByState);
 * app.addHook('onClose', async () => endpoint.close());
 */
export async function mountEndpoint(app: FastifyInstance, opts: MountEndpointOptions): Promise<MountedEndpoint> {
  const host = new ModelHost();
  const metrics = new ServingMetrics();
  const envKeys = process.env.SAGEMAKER_INFERENCE_OUTPUT;
  const outputKeys = opts.outputKeys ?? (envKeys ? parseOutputKeys(envKeys, 'SAGEMAKER_INFERENCE_OUTPUT') : undefined);
  const predictionLog = opts.sampleRate
    ? new PredictionLog(opts.registry.state, { sampleRate: opts.sampleRate, ...(opts.onLogDrop ? { onDrop: opts.onLogDrop } : {}) })
    : undefined;
  if (predictionLog) {
    metrics.addCollector(
      'sluice_prediction_log_rows_total',
      'Rows of sampled predictions by outcome (written, or dropped when the queue was full).',
      'counter',
      () => {
        const s = predictionLog.stats();
        return [
          { labels: { outcome: 'written' }, value: s.written },
          { labels: { outcome: 'dropped' }, value: s.dropped },
        ];
      },
    );
    metrics.addCollector('sluice_prediction_log_pending', 'Rows of sampled predictions waiting to be written.', 'gauge', () => [
      { labels: {}, value: predictionLog.pending },
    ]);
  }
  await app.register(invocationsRoutes, {
    host,
    metrics,
    ...(predictionLog ? { predictionLog } : {}),
    ...(opts.bodyLimit !== undefined ? { bodyLimit: opts.bodyLimit } : {}),
    ...(opts.maxRecords !== undefined ? { maxRecords: opts.maxRecords } : {}),
    ...(opts.featureLookup ? { featureLookup: opts.featureLookup } : {}),
    ...(outputKeys ? { outputKeys } : {}),
    ...(opts.guard ? { guard: opts.guard } : {}),
  });
  await app.register(metricsRoutes, { metrics });
  if (opts.registryRoutes !== false) {
    await app.register(modelsRoutes, {
      registry: opts.registry,
      prefix: '/api',
      ...(opts.artifacts ? { artifacts: opts.artifacts } : {}),
      ...(opts.whoIs ? { whoIs: opts.whoIs } : {}),
      ...(opts.auth ? { auth: opts.auth } : {}),
    });
  }
  const follower = followChampion(
    opts.registry,
    opts.model,
    host,
    async (v) => loadFlowModelPredictor(opts.artifacts ? await versionArtifact(opts.artifacts, v) : v.artifactPath, v.name, String(v.version)),
    {
      ...(opts.pollMs !== undefined ? { pollMs: opts.pollMs } : {}),
      ...(opts.onLoadError ? { onError: opts.onLoadError, onRegistryError: opts.onLoadError } : {}),
      ...(opts.onFallback ? { onFallback: opts.onFallback } : {}),
    },
  );
  return {
    host,
    metrics,
    follower,
    predictionLog,
    close: async () => {
      follower.stop();
      await predictionLog?.close();
    },
  };
}
