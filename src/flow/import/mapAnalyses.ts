import type { z } from 'zod';
import type { reportSettingsSchema } from '../flowSchema.js';
import type { ImportNote, WranglerNode } from './ImportNote.js';
import { obj, operatorBase, str } from './params.js';

export type ReportSettings = z.infer<typeof reportSettingsSchema>;

/**
 * Turns the analyses (VISUALIZATION nodes) into the flow's target and report settings: the
 * insights report's target and problem type, the bias report's facet and label, the correlation
 * type, and whether a quick model was asked for. Analyses nearer the destination win when two
 * disagree (with a warning): they describe the data the flow ends with.
 *
 * @param position where each node sits on the imported chain (-1 when it is off the chain)
 * @param lastTransform the chain position of the last transform (the data the flow ends with)
 */
export function mapAnalyses(
  analyses: WranglerNode[],
  position: (nodeId: string) => number,
  lastTransform: number,
): { target?: string; report: ReportSettings; notes: ImportNote[] } {
  const notes: ImportNote[] = [];
  const report: ReportSettings = {};
  let target: { value: string; node: string } | undefined;
  const correlations = new Set<'linear' | 'nonlinear'>();
  const at = (n: WranglerNode) => position(n.inputs[0]?.node_id ?? '');
  const ordered = [...analyses].sort((a, b) => at(b) - at(a));

  const setTarget = (value: string | undefined, n: WranglerNode, what: string) => {
    if (!value) return;
    if (!target) target = { value, node: n.node_id };
    else if (target.value !== value) {
      notes.push({
        level: 'warning',
        node: n.node_id,
        operator: n.operator,
        message: `${what} at node ${n.node_id} names the target "${value}", but node ${target.node} names "${target.value}"; the flow uses "${target.value}"`,
      });
    }
  };

  for (const n of ordered) {
    const p = n.parameters;
    const tag = { node: n.node_id, operator: n.operator };
    if (at(n) < 0)
      notes.push({ level: 'info', ...tag, message: `analysis at node ${n.node_id} looks at a branch that is not imported; its settings are used anyway` });
    switch (operatorBase(n.operator)) {
      case 'sagemaker.visualizations.data_insights_report': {
        const ip = obj(p, 'insights_report_parameters');
        setTarget(str(ip, 'target_column'), n, 'the insights report');
        const problem = str(ip, 'problem_type')?.toLowerCase();
        if (problem === 'classification' || problem === 'regression') report.problem_type ??= problem;
        else if (problem)
          notes.push({
            level: 'warning',
            ...tag,
            message: `the insights report's problem type "${problem}" is not one Sluice knows (classification, regression)`,
          });
        break;
      }
      case 'sagemaker.visualizations.bias_report': {
        const facet = str(p, 'facet_name');
        const facetValue = firstValue(p.facet_values, 'facet', n, notes);
        const labelValue = firstValue(p.label_values, 'label', n, notes);
        if (!facet || facetValue === undefined || labelValue === undefined) {
          notes.push({
            level: 'warning',
            ...tag,
            message: `the bias report at node ${n.node_id} has no facet, facet value or label value; it is not imported`,
          });
          break;
        }
        report.bias ??= { facet, facet_value: facetValue, label_value: labelValue };
        setTarget(str(p, 'label_name'), n, 'the bias report');
        for (const which of ['facet', 'label'] as const) {
          if (str(p, `is_${which}_value_or_threshold`) === 'threshold')
            notes.push({
              level: 'warning',
              ...tag,
              message: `the bias report's ${which} is a threshold in Data Wrangler; Sluice compares the value ${which === 'facet' ? facetValue : labelValue} as a category`,
            });
        }
        notes.push({ level: 'info', ...tag, message: `bias report: facet ${facet} = ${facetValue}, label value ${labelValue}` });
        if (at(n) >= 0 && at(n) < lastTransform) {
          notes.push({
            level: 'warning',
            ...tag,
            message: `the bias report looked at the data as it was at node ${n.inputs[0]!.node_id}, before later steps; check that facet value ${JSON.stringify(facetValue)} and label value ${JSON.stringify(labelValue)} still exist in the flow's output`,
          });
        }
        break;
      }
      case 'sagemaker.visualizations.feature_correlation':
        correlations.add(/non/i.test(str(p, 'correlation_type') ?? 'linear') ? 'nonlinear' : 'linear');
        break;
      case 'sagemaker.visualizations.quick_model':
        report.quick_model = true;
        setTarget(str(p, 'label'), n, 'the quick model');
        break;
      default:
        notes.push({
          level: 'info',
          ...tag,
          message: `analysis ${n.operator} at node ${n.node_id} is not imported; the Sluice insights report has its own views of the data`,
        });
    }
  }
  if (correlations.size > 0) report.correlation = correlations.size > 1 ? 'both' : [...correlations][0]!;
  return { target: target?.value, report, notes };
}

/** Bias values are text in current flows, a list in some: Sluice studies one value. */
function firstValue(v: unknown, what: string, n: WranglerNode, notes: ImportNote[]): string | undefined {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (!Array.isArray(v) || v.length === 0) return undefined;
  const first = v[0];
  if (typeof first !== 'string' && typeof first !== 'number' && typeof first !== 'boolean') return undefined;
  if (v.length > 1)
    notes.push({
      level: 'warning',
      node: n.node_id,
      operator: n.operator,
      message: `the bias report lists ${v.length} ${what} values; Sluice studies one, the first (${String(first)})`,
    });
  return String(first);
}
