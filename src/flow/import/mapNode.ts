import { isSluiceError } from '../../core/errors.js';
import type { StepSpec } from '../flowSchema.js';
import { stepDef } from '../steps/index.js';
import type { ImportedStep, ImportNote, WranglerNode } from './ImportNote.js';
import { mapCustomCode, mapCustomFormula } from './mapCustom.js';
import { mapCastSingle, mapInferAndCast, mapManageColumns, mapManageRows } from './mapColumns.js';
import { mapConcatenate, mapJoin } from './mapJoin.js';
import { mapHandleMissing } from './mapMissing.js';
import { mapEncodeCategorical, mapHandleOutliers, mapProcessNumeric } from './mapNumeric.js';
import { mapBalanceData, mapSampling } from './mapSampling.js';
import { mapSplit } from './mapSplit.js';
import { mapFeaturizeText, mapFormatString, mapSearchAndEdit } from './mapText.js';
import { mapTimeSeries } from './mapTimeSeries.js';
import type { MapContext, NodeMapper } from './mapContext.js';
import { actionParams, isObj, lookup, operatorBase, str } from './params.js';

/** Transform operators by name without the version suffix (`_0.1`). */
const MAPPERS: Record<string, NodeMapper> = {
  'sagemaker.spark.infer_and_cast_type': mapInferAndCast,
  'sagemaker.spark.cast_single_data_type': mapCastSingle,
  'sagemaker.spark.manage_columns': mapManageColumns,
  'sagemaker.spark.manage_rows': mapManageRows,
  'sagemaker.spark.handle_missing': mapHandleMissing,
  'sagemaker.spark.search_and_edit': mapSearchAndEdit,
  'sagemaker.spark.format_string': mapFormatString,
  'sagemaker.spark.featurize_text': mapFeaturizeText,
  'sagemaker.spark.encode_categorical': mapEncodeCategorical,
  'sagemaker.spark.process_numeric': mapProcessNumeric,
  'sagemaker.spark.handle_outliers': mapHandleOutliers,
  'sagemaker.spark.custom_formula': mapCustomFormula,
  'sagemaker.spark.custom_code': mapCustomCode,
  'sagemaker.spark.custom_pyspark': mapCustomCode,
  'sagemaker.spark.custom_pandas': mapCustomCode,
  'sagemaker.spark.custom_sql': mapCustomCode,
  'sagemaker.spark.split': mapSplit,
  'sagemaker.spark.balance_data': mapBalanceData,
  'sagemaker.spark.sampling': mapSampling,
  'sagemaker.spark.time_series': mapTimeSeries,
  'sagemaker.spark.identity': (ctx) => ctx.note('info', 'passes its input on unchanged; no step needed'),
  'sagemaker.spark.join': mapJoin,
  'sagemaker.spark.join_tables': mapJoin,
  'sagemaker.spark.join_multi_keys': mapJoin,
  'sagemaker.spark.concatenate': mapConcatenate,
  'sagemaker.spark.concatenate_datasets': mapConcatenate,
};

/**
 * Converts one TRANSFORM node into Sluice steps. A node Sluice cannot express becomes a
 * `todo_custom_code` placeholder with a note; nothing is dropped silently.
 */
export function mapNode(node: WranglerNode, outputTaken?: string, side?: string): { steps: ImportedStep[]; notes: ImportNote[] } {
  const steps: ImportedStep[] = [];
  const notes: ImportNote[] = [];
  const action = str(node.parameters, 'operator');
  const tag = { node: node.node_id, operator: node.operator };
  const where = `node ${node.node_id} (${node.operator}${action ? `: ${action}` : ''})`;
  const ctx: MapContext = {
    node,
    action,
    params: action ? actionParams(node.parameters, action) : node.parameters,
    outputTaken,
    side,
    add(step) {
      steps.push({ step, node: node.node_id, operator: node.operator, action });
      checkStep(step, where, tag, notes);
    },
    note(level, message) {
      notes.push({ level, ...tag, message: `${where}: ${message}` });
    },
    placeholder(language, code, message) {
      // The user's own name for the node (custom code has one) says most about what it did.
      const name = str(node.parameters, 'name') ?? action ?? node.operator;
      steps.push({ step: { kind: 'todo_custom_code', node: node.node_id, language, code, name }, node: node.node_id, operator: node.operator, action });
      notes.push({ level: 'placeholder', ...tag, message: `${where}: ${message}`, code });
    },
    unsupported() {
      const code = JSON.stringify({ operator: node.operator, parameters: node.parameters }, null, 2);
      ctx.placeholder(
        'data-wrangler',
        code,
        `Sluice has no step for ${action ? `"${action}"` : 'this operator'}; replace the placeholder with built-in steps that do the same (its Data Wrangler parameters are kept as its code)`,
      );
    },
  };
  const mapper = lookup(MAPPERS, operatorBase(node.operator));
  if (mapper) mapper(ctx);
  else {
    const code = JSON.stringify({ operator: node.operator, parameters: node.parameters }, null, 2);
    ctx.placeholder(
      'data-wrangler',
      code,
      `unknown operator "${node.operator}"; the importer does not know what it does, so it is kept as a placeholder with its parameters`,
    );
  }
  // What Data Wrangler learned (categories, scaler parameters, ...) is not reused: say so once,
  // unless the mapper already showed it (impute, infer types).
  const trained = isObj(node.trained_parameters) ? Object.keys(node.trained_parameters) : [];
  if (trained.length > 0 && !notes.some((n) => n.level === 'info' && /learned|trained|inferred/.test(n.message))) {
    ctx.note('info', `Data Wrangler kept trained parameters (${trained.join(', ')}); Sluice learns its own when the flow is fitted`);
  }
  return { steps, notes };
}

/**
 * Checks an emitted step against its kind's schema in this build, so a Data Wrangler option the
 * mapping got wrong shows up at import time as a note rather than later as a failed validation.
 */
function checkStep(step: StepSpec, where: string, tag: { node: string; operator: string }, notes: ImportNote[]): void {
  const def = stepDef(step.kind);
  if (!def) {
    notes.push({
      level: 'warning',
      ...tag,
      message: `${where}: became a ${step.kind} step, which this version of Sluice does not have yet; flow validate will reject it`,
    });
    return;
  }
  const r = def.schema.safeParse(step);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    notes.push({
      level: 'warning',
      ...tag,
      message: `${where}: the ${step.kind} step made from it is not valid (${issue.path.join('.') || 'step'}: ${issue.message}); fix it by hand`,
    });
    return;
  }
  // The checks flow validate runs without data: expression syntax, regular expressions.
  try {
    def.inputs(r.data, { columns: [], target: undefined, mode: 'train', index: 0 });
  } catch (e) {
    const why = isSluiceError(e) ? `${e.message}${e.hint ? ` (${e.hint})` : ''}` : String(e);
    notes.push({ level: 'warning', ...tag, message: `${where}: the ${step.kind} step made from it will not validate: ${why.replace(/^step 1: /, '')}` });
  }
}
