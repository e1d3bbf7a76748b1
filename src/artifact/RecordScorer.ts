import type { MissingPolicy } from '../core/missing.js';
import type { ColumnSchema } from '../core/types.js';
import { levelIndexes, rowsToFrame } from '../data/rowsToFrame.js';
import { compileRecordTransform } from '../flow/compileRecordTransform.js';
import { fittedMissing, type FittedFlow } from '../flow/fittedFlow.js';
import { requiredInputs } from '../flow/planSql.js';
import { pruneForServing } from '../flow/pruneForServing.js';
import type { Row } from '../flow/step.js';
import type { Model, RowScorer, RowsScorer } from '../ml/model.js';

/** Why the flow refused one record (an unseen category where the flow says `error`, ...). */
export interface RecordRefusal {
  code: string;
  /** Without the `record N: ` prefix: the caller numbers records its own way (request index, file line). */
  message: string;
  /** The input column at fault, when there is one. */
  field?: string;
  hint?: string;
}

/** The scores of a batch of records, in input order. */
export interface ScoredRecords {
  /** `k` values per record (class probabilities in label order, or the regression value); NaN for a refused record. */
  output: Float64Array;
  /** Per record, why it was not scored (undefined when it was; a dense array, so `map` visits every record). */
  refusals: Array<RecordRefusal | undefined>;
  /** The flow's record id of each record, when the scorer keeps it (null for a refused record). */
  ids?: unknown[];
  /** Records that got scores. */
  scored: number;
}

/**
 * The one prediction path of a model artifact, shared by `sluice predict`, `sluice models predict`
 * and the endpoint: typed raw records -> the fitted flow compiled to a record function (the same
 * transform the training batch saw, src/flow/compileRecordTransform.ts) -> the model, all records of a
 * batch in one frame. A record the flow refuses gets a refusal in its place and every other
 * record is scored: a batch never fails for one record.
 *
 * The flow is pruned to what the model reads (src/flow/pruneForServing.ts), plus the record id
 * when `recordId` is asked for; {@link inputs} are the raw columns a record must carry (the
 * manifest's `inputSignature`).
 *
 * @example
 * const scorer = new RecordScorer(artifact, { recordId: true });
 * const { output, refusals } = scorer.score([{ age: 40, color: 'red', score: 1.5 }]);
 */
export class RecordScorer {
  /** The raw columns the model depends on, with their types. */
  readonly inputs: ColumnSchema[];
  /** The missing-value rules the flow was fitted with (its tokens). */
  readonly missing: MissingPolicy;
  /** Values per record: the number of classes, or 1 for regression. */
  readonly width: number;
  /** The record id column the scores carry, when asked for and the flow makes one. */
  readonly recordId: string | undefined;
  private readonly transform: ReturnType<typeof compileRecordTransform>;
  private readonly levels: ReturnType<typeof levelIndexes>;
  /** The model's frame-free scorer of one row, when its learner has one. */
  private readonly rowScorer: RowScorer | undefined;
  /** Its scorer of many rows at once, when it has one. */
  private readonly rowsScorer: RowsScorer | undefined;

  constructor(
    readonly artifact: { model: Model; fitted: FittedFlow },
    options: { recordId?: boolean } = {},
  ) {
    const { model, fitted } = artifact;
    const id = fitted.flow.record_id;
    this.recordId = options.recordId && id && fitted.output.some((c) => c.name === id) ? id : undefined;
    const features = model.schema.map((s) => s.name);
    this.inputs = requiredInputs(pruneForServing(fitted, features), 'serve');
    this.transform = compileRecordTransform(pruneForServing(fitted, this.recordId ? [...features, this.recordId] : features));
    this.missing = fittedMissing(fitted);
    this.levels = levelIndexes(model.schema);
    this.width = model.task === 'classification' ? model.labels.length : 1;
    this.rowScorer = model.rowScorer();
    this.rowsScorer = model.rowsScorer();
  }

  /** Scores typed raw records (values already read as their input types, null for missing). */
  score(records: readonly Row[]): ScoredRecords {
    const results = this.transform(records as Row[]);
    const rows: Row[] = [];
    const at: number[] = [];
    const refusals: Array<RecordRefusal | undefined> = new Array(records.length).fill(undefined);
    const ids = this.recordId ? new Array<unknown>(records.length).fill(null) : undefined;
    for (let i = 0; i < results.length; i++) {
      const r = results[i]!;
      if (r.ok) {
        rows.push(r.row);
        at.push(i);
        if (ids) ids[i] = r.row[this.recordId!] ?? null;
      } else {
        const e = r.error;
        refusals[i] = {
          code: e.code,
          message: e.message.replace(/^record \d+: /, ''),
          ...(e.location?.field !== undefined ? { field: e.location.field } : {}),
          ...(e.hint ? { hint: e.hint } : {}),
        };
      }
    }
    return { ...this.scoreRows(rows, at, records.length), refusals, ...(ids ? { ids } : {}) };
  }

  /** Scores rows the flow already transformed (the feature store's records): none is refused. */
  scoreTransformed(rows: readonly Row[]): ScoredRecords {
    return {
      ...this.scoreRows(
        rows,
        rows.map((_, i) => i),
        rows.length,
      ),
      refusals: new Array(rows.length).fill(undefined),
    };
  }

  /** Row j's scores go to record `at[j]` of `n`. */
  private scoreRows(rows: readonly Row[], at: readonly number[], n: number): { output: Float64Array; scored: number } {
    const k = this.width;
    const output = new Float64Array(n * k).fill(Number.NaN);
    const one = this.rowScorer;
    const many = this.rowsScorer;
    if (many && rows.length > 1) {
      // A batch tree by tree over its rows: the same numbers as row by row.
      many(rows, at, output);
    } else if (one) {
      // Row by row without a frame: the same numbers as the frame path, without its allocations.
      for (let j = 0; j < at.length; j++) one(rows[j]!, output, at[j]! * k);
    } else if (rows.length > 0) {
      const o = this.artifact.model.output(rowsToFrame(rows, this.artifact.model.schema, this.levels));
      for (let j = 0; j < at.length; j++) for (let c = 0; c < k; c++) output[at[j]! * k + c] = o[j * k + c]!;
    }
    return { output, scored: rows.length };
  }
}
