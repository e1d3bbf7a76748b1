import { SluiceError } from '../core/errors.js';
import type { Engine } from '../engine/Engine.js';
import { quoteIdent, quoteLiteral } from '../engine/sql.js';
import type { BiasReport } from './reportSchema.js';

export interface BiasOptions {
  /** The facet column and the value that marks the (possibly disadvantaged) group d. */
  facet: string;
  facetValue: string;
  /** The label column (usually the target) and its favourable value. */
  label: string;
  labelValue: string;
  /** Optional column whose groups condition CDD; without it CDD equals demographic disparity. */
  group?: string;
}

function require(columns: string[], name: string, what: string): void {
  if (columns.includes(name)) return;
  throw new SluiceError('BIAS_COLUMN_NOT_FOUND', `${what} column "${name}" is not in the data`, {
    location: { field: name },
    hint: `choose one of: ${columns.slice(0, 30).join(', ')}`,
  });
}

/**
 * SageMaker Clarify's pre-training bias metrics for facet d (`facet = facetValue`) against the
 * rest a, with the label's favourable value as positive outcome (natural logarithms):
 * CI = (n_a - n_d)/(n_a + n_d); DPL = q_a - q_d (q = share of positive labels); KL(P_a || P_d),
 * JS = ½[KL(P_a||M) + KL(P_d||M)], LP (L2 norm), TVD (½ L1), KS (max difference) over the label
 * distributions; CDD = Σ n_i·DD_i / n over the groups of `group`, DD = n_d(rejected)/n(rejected)
 * - n_d(accepted)/n(accepted). Rows with a missing facet or label are left out.
 */
export async function computeBias(engine: Engine, view: string, columns: string[], options: BiasOptions, booleanColumns: string[] = []): Promise<BiasReport> {
  require(columns, options.facet, 'facet');
  require(columns, options.label, 'label');
  if (options.group) require(columns, options.group, 'group');
  // The CSV reader turns yes/no columns into booleans: accept the words the user sees in the file.
  const o = {
    ...options,
    facetValue: booleanColumns.includes(options.facet) ? asBooleanText(options.facetValue) : options.facetValue,
    labelValue: booleanColumns.includes(options.label) ? asBooleanText(options.labelValue) : options.labelValue,
  };
  const f = quoteIdent(o.facet);
  const l = quoteIdent(o.label);
  const g = o.group ? `${quoteIdent(o.group)}::VARCHAR` : `''`;
  const rows = await engine.query<{ d: boolean; y: string; g: string | null; n: number }>(
    `SELECT ${f}::VARCHAR = ${quoteLiteral(o.facetValue)} AS d, ${l}::VARCHAR AS y, ${g} AS g, count(*) AS n FROM ${quoteIdent(view)} WHERE ${f} IS NOT NULL AND ${l} IS NOT NULL GROUP BY ALL`,
  );
  const nd = rows.filter((r) => r.d).reduce((a, r) => a + Number(r.n), 0);
  const na = rows.filter((r) => !r.d).reduce((a, r) => a + Number(r.n), 0);
  if (nd === 0) {
    throw new SluiceError('BIAS_FACET_VALUE_NOT_FOUND', `no row has ${o.facet} = "${o.facetValue}"`, {
      location: { field: o.facet },
      hint: 'the facet value is compared as text; check spelling and case',
    });
  }
  if (!rows.some((r) => r.y === o.labelValue)) {
    throw new SluiceError('BIAS_LABEL_VALUE_NOT_FOUND', `no row has ${o.label} = "${o.labelValue}"`, {
      location: { field: o.label },
      hint: `the label values are: ${[...new Set(rows.map((r) => r.y))].slice(0, 20).join(', ')}`,
    });
  }
  const labels = [...new Set(rows.map((r) => r.y))].sort();
  const dist = (isD: boolean) => {
    const total = isD ? nd : na;
    return labels.map((y) => rows.filter((r) => r.d === isD && r.y === y).reduce((a, r) => a + Number(r.n), 0) / (total || 1));
  };
  const pd = dist(true);
  const pa = dist(false);
  const pos = labels.indexOf(o.labelValue);
  const kl = (p: number[], q: number[]) => {
    let s = 0;
    for (let i = 0; i < p.length; i++) {
      if (p[i]! === 0) continue;
      if (q[i]! === 0) return null;
      s += p[i]! * Math.log(p[i]! / q[i]!);
    }
    return s;
  };
  const m = pa.map((x, i) => (x + pd[i]!) / 2);
  const klAm = kl(pa, m);
  const klDm = kl(pd, m);
  const diffs = pa.map((x, i) => x - pd[i]!);

  // CDD: demographic disparity within each group, weighted by group size.
  const groups = [...new Set(rows.map((r) => r.g ?? ''))];
  let cddSum = 0;
  let cddN = 0;
  for (const grp of groups) {
    const inG = rows.filter((r) => (r.g ?? '') === grp);
    const sum = (pred: (r: (typeof rows)[number]) => boolean) => inG.filter(pred).reduce((a, r) => a + Number(r.n), 0);
    const acc = sum((r) => r.y === o.labelValue);
    const rej = sum((r) => r.y !== o.labelValue);
    const dAcc = sum((r) => r.d && r.y === o.labelValue);
    const dRej = sum((r) => r.d && r.y !== o.labelValue);
    const dd = (rej > 0 ? dRej / rej : 0) - (acc > 0 ? dAcc / acc : 0);
    cddSum += (acc + rej) * dd;
    cddN += acc + rej;
  }
  return {
    facet: o.facet,
    facetValue: options.facetValue,
    label: o.label,
    labelValue: options.labelValue,
    ...(o.group ? { group: o.group } : {}),
    counts: { facet: nd, rest: na },
    metrics: {
      CI: (na - nd) / (na + nd),
      DPL: na > 0 ? pa[pos]! - pd[pos]! : null,
      KL: na > 0 ? kl(pa, pd) : null,
      JS: na > 0 && klAm !== null && klDm !== null ? 0.5 * (klAm + klDm) : null,
      LP: na > 0 ? Math.sqrt(diffs.reduce((a, x) => a + x * x, 0)) : null,
      TVD: na > 0 ? 0.5 * diffs.reduce((a, x) => a + Math.abs(x), 0) : null,
      KS: na > 0 ? Math.max(...diffs.map(Math.abs)) : null,
      CDD: cddN > 0 ? cddSum / cddN : null,
    },
  };
}

function asBooleanText(v: string): string {
  const s = v.trim().toLowerCase();
  if (['true', 'yes', 'y', 't', '1'].includes(s)) return 'true';
  if (['false', 'no', 'n', 'f', '0'].includes(s)) return 'false';
  return v;
}
