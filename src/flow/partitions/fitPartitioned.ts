import { assertNoReservedColumn } from '../assertNoReservedColumn.js';
import { SluiceError } from '../../core/errors.js';
import type { ColumnSchema } from '../../core/types.js';
import type { Engine } from '../../engine/Engine.js';
import { quoteIdent } from '../../engine/sql.js';
import { dropReason } from '../dropReason.js';
import { assembleFittedFlow, assertSameColumns, assertTargetKept, fitFlow, locate } from '../fitFlow.js';
import type { FlowSpec, StepSpec } from '../flowSchema.js';
import type { FittedFlow, FittedStep, FlowNote, RowsDropped } from '../fittedFlow.js';
import type { RawInput } from '../loadInputs.js';
import type { FitContext, SideRelation, StepContext } from '../step.js';
import { missingColumn, plain } from '../steps/common.js';
import { stepDef } from '../steps/index.js';
import type { DistributionOptions } from './columnSummaries.js';
import { mergeAll } from './mergeAll.js';
import { FITS_WITHOUT_ROWS, PARTIAL_FITS, type Scan } from './partialFits.js';
import { partitionProblems } from './partitionProblems.js';

export interface PartitionedFitOptions {
  /** One name per partition (its file), for messages. */
  files?: readonly string[];
  missingTokens?: readonly string[];
  inputColumns?: readonly ColumnSchema[];
  /** The flow's other inputs (files), each fitted once with its own steps. */
  inputs?: RawInput[];
  /** How distributions are summarised (exact counts up to a limit, then sketches). */
  distribution?: DistributionOptions;
}

/** Refuses a flow that cannot run partition by partition, naming every step at once. */
export function assertPartitionable(spec: FlowSpec, where: string): void {
  const problems = partitionProblems(spec);
  if (problems.length > 0)
    throw new SluiceError('FLOW_PARTITIONS_REFUSED', `flow "${spec.name}" cannot run on ${where} partition by partition:\n  ${problems.join('\n  ')}`, {
      hint: 'run it on one file (join the partitions first), or move these steps to a flow that runs before the batch is partitioned',
    });
}

/**
 * Fits a flow once on a batch given as partitions (relations with the same columns), without
 * ever reading the batch as one table: each step that learns from data is fitted from mergeable
 * summaries of the data entering it in every partition (src/flow/partitions/partialFits.ts),
 * and the partitions then pass through the fitted step as views, ready for the next one. The
 * fitted flow is the one {@link fitFlow} gives on the whole batch, statistic for statistic:
 * exactly for counts, categories, extremes, exact sums and exact-count quantiles; within the
 * stated rank error for quantiles from sketches (noted in the fitted flow).
 */
export async function fitPartitioned(engine: Engine, spec: FlowSpec, partitions: readonly string[], options: PartitionedFitOptions = {}): Promise<FittedFlow> {
  if (partitions.length === 0) throw new SluiceError('FLOW_NO_PARTITIONS', 'a partitioned batch needs at least one partition', {});
  assertPartitionable(spec, 'a partitioned batch');
  const formats = new Map((options.inputColumns ?? []).flatMap((c) => (c.format ? [[c.name, c.format] as const] : [])));
  const input = plain(await engine.describe(partitions[0]!)).map((c) =>
    formats.has(c.name) && c.type === 'date' ? { ...c, format: formats.get(c.name)! } : c,
  );
  const counts = await Promise.all(partitions.map((p) => engine.count(p)));
  const rowsIn = counts.reduce((a, b) => a + b, 0);
  const sides = new Map<string, SideRelation>();
  const fittedInputs: Record<string, FittedFlow> = {};
  for (const raw of options.inputs ?? []) {
    const own = spec.inputs?.[raw.name]?.steps ?? [];
    const sub = await fitFlow(engine, { version: 1, name: `${spec.name} input ${raw.name}`, steps: own }, raw.relation, {
      file: raw.source.file ?? raw.source.feature_group,
    });
    fittedInputs[raw.name] = sub.fitted;
    sides.set(raw.name, { relation: sub.relation, columns: sub.fitted.output });
  }
  for (const name of Object.keys(spec.inputs ?? {}))
    if (!sides.has(name))
      throw new SluiceError('FLOW_INPUT_NEEDED', `the flow reads input "${name}", which was not given`, {
        location: { field: `inputs.${name}` },
        hint: 'give the input with --with NAME=FILE',
      });

  let columns: ColumnSchema[] = plain(input);
  let current = [...partitions];
  let rows = [...counts];
  const steps: FittedStep[] = [];
  const dropped: RowsDropped[] = [];
  const notes: FlowNote[] = [];
  for (const [index, raw] of (spec.steps as StepSpec[]).entries()) {
    const def = stepDef(raw.kind);
    if (!def) throw new SluiceError('FLOW_UNKNOWN_STEP', `step ${index + 1} has unknown kind "${raw.kind}"`, { location: { step: index } });
    const ctx: StepContext = { columns, target: spec.target, mode: 'train', index, sides, fitting: true };
    const at = (p: number): FitContext => ({ ...ctx, engine, relation: current[p]! });
    try {
      for (const c of def.inputs(raw, ctx)) if (!columns.some((x) => x.name === c)) throw missingColumn(ctx, c);
      // One partition at a time (bounded memory); on workers each would be one job (docs/architecture.md).
      const scan: Scan = async (summarise, merge) => {
        const summaries = [];
        for (let p = 0; p < current.length; p++) summaries.push(await summarise(at(p)));
        return mergeAll(summaries, merge);
      };
      const partial = PARTIAL_FITS[raw.kind];
      let fitted: unknown;
      if (partial) {
        const said = new Set<string>();
        fitted = await partial(raw, {
          ctx,
          scan,
          note: (message) => said.add(message),
          distribution: options.distribution ?? {},
        });
        for (const message of said) notes.push({ step: index, kind: raw.kind, ...(raw.name ? { name: raw.name } : {}), message });
      } else if (def.fit) {
        if (!FITS_WITHOUT_ROWS.has(raw.kind))
          throw new SluiceError('FLOW_INTERNAL', `step kind ${raw.kind} learns from data but has no mergeable summary`, {
            httpStatus: 500,
            hint: 'add it to src/flow/partitions/partialFits.ts',
          });
        fitted = await def.fit(raw, at(0));
      }
      const declared = def.outputs(raw, fitted, ctx);
      const next = current.map(() => engine.tempName('part'));
      for (const [p, view] of next.entries())
        await engine.exec(`CREATE OR REPLACE TEMP VIEW ${quoteIdent(view)} AS ${def.sql(raw, fitted, ctx, quoteIdent(current[p]!))}`);
      const actual = plain(await engine.describe(next[0]!));
      assertNoReservedColumn(actual, index, raw.kind);
      assertSameColumns(declared, actual, index, raw.kind);
      steps.push({ kind: raw.kind, spec: raw, fitted, input: columns, output: actual });
      if (def.rowsOnly) {
        const after = await Promise.all(next.map((v) => engine.count(v)));
        const removed = rows.reduce((t, n, p) => t + n - after[p]!, 0);
        if (removed > 0) dropped.push({ step: index, kind: raw.kind, ...(raw.name ? { name: raw.name } : {}), rows: removed, reason: dropReason(raw) });
        rows = after;
      }
      columns = actual;
      current = next;
    } catch (e) {
      throw locate(e, index, raw, options.files?.join(', '));
    }
  }
  assertTargetKept(spec, columns);
  // A join may remove rows too: the caller counts the output as it writes it.
  return assembleFittedFlow(spec, {
    rows: { in: rowsIn, out: -1 },
    missingTokens: options.missingTokens,
    dropped,
    notes,
    input,
    output: columns,
    steps,
    inputs: fittedInputs,
  });
}
