import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SluiceConfig } from '../../core/config.js';
import { SluiceError } from '../../core/errors.js';
import { resolveIn } from '../../core/projectLayout.js';
import { atomicWriteFile } from '../../engine/atomicWriteFile.js';
import { Engine } from '../../engine/Engine.js';
import { saveFittedFlow, type RowsDropped } from '../../flow/fittedFlow.js';
import { loadFlow } from '../../flow/loadFlow.js';
import { runFlow } from '../../flow/runFlow.js';
import { stepDir, type Activity } from './Activity.js';
import { featureGroupReader } from './featureGroupInput.js';

/** The batch to transform (wired `$.input.file` by default) and, optionally, a flow other than sluice.yaml's. */
export interface RunFlowInput {
  file?: string;
  flow?: string;
}

export interface RunFlowOutput {
  /** The transformed batch (Parquet). */
  output: string;
  /** The fitted flow (parameters), so serving applies the same transform. */
  fitted: string;
  flowHash: string;
  rows: number;
  /** Rows of the arrived file. */
  rowsIn?: number;
  /** Each step that removed rows: how many and why (shown on the console's execution page). */
  dropped?: RowsDropped[];
  columns: Array<{ name: string; type: string }>;
}

/**
 * The built-in `run_flow` activity: fits the project's flow (`flow` in sluice.yaml, or
 * `input.flow`) on the arrived file and writes the transformed batch and the fitted flow to
 * `.sluice/batches/<execution>/`. Idempotent: the result manifest is written last (atomically),
 * and a run that finds it returns it without recomputing.
 */
export const runFlowActivity: Activity<RunFlowInput, RunFlowOutput> = async (input, ctx) => {
  const config = ctx.config as SluiceConfig | undefined;
  const dir = stepDir(ctx);
  const manifest = join(dir, 'run_flow.json');
  if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8')) as RunFlowOutput;
  const file = input.file;
  if (!file)
    throw new SluiceError('RUN_FLOW_NO_FILE', 'run_flow has no file to transform', {
      retryable: false,
      hint: 'start the execution with a file, or wire the task `input: { file: $.input.file }`',
    });
  const flowPath = input.flow ?? config?.flow;
  if (!flowPath)
    throw new SluiceError('RUN_FLOW_NO_FLOW', 'no flow is configured', { retryable: false, hint: 'set `flow: flows/<name>.flow.yaml` in sluice.yaml' });
  const flowFile = resolveIn(ctx.project.root, flowPath);
  const spec = await loadFlow(flowFile);
  const engine = await Engine.open();
  try {
    const output = join(dir, 'transformed.parquet');
    const sources = { baseDir: dirname(flowFile), readFeatureGroup: featureGroupReader(ctx.project.root, config) };
    const r = await runFlow(engine, {
      input: file,
      flow: spec,
      output,
      sources,
      ...(config?.missingTokens ? { projectMissingTokens: config.missingTokens } : {}),
      ...(config?.dateOrder ? { dateOrder: config.dateOrder } : {}),
      ...(config?.python ? { python: config.python } : {}),
    });
    const fitted = join(dir, 'fitted.json');
    await saveFittedFlow(fitted, r.fitted);
    const result: RunFlowOutput = {
      output,
      fitted,
      flowHash: r.fitted.flowHash,
      rows: r.rows,
      rowsIn: r.rowsIn,
      dropped: r.fitted.dropped ?? [],
      columns: r.columns.map((c) => ({ name: c.name, type: c.type })),
    };
    await atomicWriteFile(manifest, JSON.stringify(result, null, 2));
    return result;
  } finally {
    engine.close();
  }
};
