import { parse as parseYaml } from 'yaml';
import { SluiceError } from '../core/errors.js';
import type { GatesReport, Report } from './reportSchema.js';
import { closestWarningCode, isWarningCode, WARNING_CODES, type WarningCode } from './warnings/warningRules.js';

/**
 * Quality gates: rules over the report, each evaluated to a value and pass/fail, and a verdict
 * (pass when every rule passes). The grammar is small and parsed here; nothing is evaluated as
 * code.
 *
 *   rule       := comparison | "no warnings" | "no" SEVERITY "warnings" | "no warning" CODE
 *   CODE       := a code of warnings/warningRules.ts (an unknown one is an error, with the closest)
 *   comparison := PATH OP VALUE          OP := < | <= | > | >= | == | !=
 *   PATH       := segment ("." segment)*  segment := name | "quoted name" | index
 *   VALUE      := number | true | false | word | "quoted text"
 *
 * PATH is an alias (see {@link GATE_ALIASES}) or a path into report.json; in an array a segment
 * picks the element whose `name` or `feature` equals it (`columns.age.missingShare`).
 */
export type GateRule =
  | { kind: 'compare'; text: string; path: string[]; op: Op; value: number | string | boolean }
  | { kind: 'noWarnings'; text: string; severity?: 'high' | 'medium' | 'low'; code?: WarningCode };

type Op = '<' | '<=' | '>' | '>=' | '==' | '!=';

const maxOf = (xs: Array<number | null | undefined>) => {
  const v = xs.filter((x): x is number => typeof x === 'number');
  return v.length > 0 ? Math.max(...v) : undefined;
};

/** Short names for the values gates most often test. */
export const GATE_ALIASES: Record<string, (r: Report) => unknown> = {
  rows: (r) => r.dataset.rows,
  missing_share: (r) => r.dataset.missingShare,
  duplicate_share: (r) => r.dataset.duplicateShare,
  'warnings.high': (r) => r.warnings.filter((w) => w.severity === 'high').length,
  'warnings.medium': (r) => r.warnings.filter((w) => w.severity === 'medium').length,
  'warnings.count': (r) => r.warnings.length,
  'drift.psi': (r) => (r.drift ? (maxOf(r.drift.columns.map((c) => c.psi)) ?? 0) : undefined),
  'drift.ks': (r) => (r.drift ? (maxOf(r.drift.columns.map((c) => c.ks)) ?? 0) : undefined),
  'drift.js': (r) => (r.drift ? (maxOf(r.drift.columns.map((c) => c.jensenShannon)) ?? 0) : undefined),
  'drift.drifted_share': (r) => r.drift?.driftedShare,
  'target.imbalance_ratio': (r) => r.target?.imbalanceRatio,
  'champion.metric_drop': (r) => r.champion?.drop ?? undefined,
  'champion.metric': (r) => r.champion?.current,
};

const SEGMENT = String.raw`(?:[A-Za-z0-9_][\w-]*|"[^"]*")`;
const COMPARE = new RegExp(String.raw`^(${SEGMENT}(?:\.${SEGMENT})*)\s*(<=|>=|==|!=|<|>)\s*(.+)$`);

/** Parses one rule; throws a SluiceError that shows the grammar on a malformed rule. */
export function parseGateRule(text: string, where = 'gate'): GateRule {
  const s = text.trim();
  let m: RegExpExecArray | null;
  if (/^no\s+warnings$/i.test(s)) return { kind: 'noWarnings', text: s };
  if ((m = /^no\s+(high|medium|low)\s+warnings$/i.exec(s))) return { kind: 'noWarnings', text: s, severity: m[1]!.toLowerCase() as 'high' };
  if ((m = /^no\s+warning\s+(\S+)$/i.exec(s))) return { kind: 'noWarnings', text: s, code: warningCode(m[1]!, s, where) };
  if ((m = COMPARE.exec(s))) {
    const path = m[1]!.match(new RegExp(SEGMENT, 'g'))!.map((p) => (p.startsWith('"') ? p.slice(1, -1) : p));
    const raw = m[3]!.trim();
    let value: number | string | boolean;
    if (/^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(raw)) value = Number(raw);
    else if (raw === 'true' || raw === 'false') value = raw === 'true';
    else if (/^"[^"]*"$/.test(raw) || /^'[^']*'$/.test(raw)) value = raw.slice(1, -1);
    else if (/^[A-Za-z_][\w-]*$/.test(raw)) value = raw;
    else throw badRule(s, where, `"${raw}" is not a number, true/false, a word or a quoted text`);
    const op = m[2] as Op;
    if (typeof value !== 'number' && op !== '==' && op !== '!=') throw badRule(s, where, `${op} needs a number`);
    return { kind: 'compare', text: s, path, op, value };
  }
  throw badRule(s, where, 'it is neither a comparison nor a "no ... warnings" rule');
}

/** A code of warningRules.ts; a typo (`target_leakge`) is an error naming the closest code, never a rule that always passes. */
function warningCode(code: string, text: string, where: string): WarningCode {
  if (isWarningCode(code)) return code;
  const near = closestWarningCode(code);
  throw new SluiceError('GATE_INVALID', `${where}: "${text}" names the unknown warning code "${code}"${near ? `; did you mean "${near}"?` : ''}`, {
    location: { field: where },
    hint: `warning codes: ${WARNING_CODES.join(', ')} (docs/report.md, Warnings)`,
  });
}

function badRule(text: string, where: string, why: string): SluiceError {
  return new SluiceError('GATE_INVALID', `${where}: cannot read the rule "${text}": ${why}`, {
    location: { field: where },
    hint: 'write rules like `missing_share < 0.05`, `drift.psi < 0.2`, `quickModel.metrics.accuracy >= 0.6`, `no high warnings`, `no warning target_leakage`',
  });
}

/** Reads a gates file's text: a YAML list of rules, or `{ gates: [...] }`; items are strings or `{ rule }`. */
export function parseGatesFile(text: string, file = 'gates.yaml'): GateRule[] {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new SluiceError('GATES_INVALID', `${file} is not valid YAML: ${(e as Error).message.split('\n')[0]}`, {
      location: { file },
      hint: 'a gates file is a YAML list of rules',
      cause: e,
    });
  }
  const list = Array.isArray(doc)
    ? doc
    : doc && typeof doc === 'object' && Array.isArray((doc as { gates?: unknown }).gates)
      ? (doc as { gates: unknown[] }).gates
      : null;
  if (!list)
    throw new SluiceError('GATES_INVALID', `${file} has no list of rules`, {
      location: { file },
      hint: 'write `gates:` followed by lines like `- missing_share < 0.05`',
    });
  return list.map((item, i) => {
    const text =
      typeof item === 'string'
        ? item
        : item && typeof item === 'object' && typeof (item as { rule?: unknown }).rule === 'string'
          ? (item as { rule: string }).rule
          : null;
    if (text === null)
      throw new SluiceError('GATES_INVALID', `${file}: gates[${i}] is not a rule`, {
        location: { file, field: `gates[${i}]` },
        hint: 'each item is a string like `missing_share < 0.05` or `{ rule: ... }`',
      });
    const rule = parseGateRule(text, `gates[${i}]`);
    return rule;
  });
}

/** Looks a path up: alias first, then a walk through the report (arrays by name / feature / index). */
export function reportValueAt(report: Report, path: string[]): unknown {
  const alias = GATE_ALIASES[path.join('.')];
  if (alias) return alias(report);
  let cur: unknown = report;
  for (const seg of path) {
    if (cur === null || cur === undefined) return undefined;
    if (Array.isArray(cur)) {
      const byName = cur.find(
        (x) =>
          x &&
          typeof x === 'object' &&
          ((x as { name?: unknown }).name === seg || (x as { feature?: unknown }).feature === seg || (x as { code?: unknown }).code === seg),
      );
      cur = byName ?? (/^\d+$/.test(seg) ? cur[Number(seg)] : undefined);
    } else if (typeof cur === 'object') {
      cur = Object.hasOwn(cur as object, seg) ? (cur as Record<string, unknown>)[seg] : undefined;
    } else return undefined;
  }
  return cur;
}

function compare(a: number | string | boolean, op: Op, b: number | string | boolean): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return (a as number) < (b as number);
    case '<=':
      return (a as number) <= (b as number);
    case '>':
      return (a as number) > (b as number);
    default:
      return (a as number) >= (b as number);
  }
}

/** Evaluates rules against a report (without its `gates` key). A value the report lacks fails. */
export function evaluateGates(report: Report, rules: GateRule[]): GatesReport {
  const results = rules.map((rule) => {
    if (rule.kind === 'noWarnings') {
      const hits = report.warnings.filter((w) => (!rule.severity || w.severity === rule.severity) && (!rule.code || w.code === rule.code));
      return {
        rule: rule.text,
        value: hits.length,
        pass: hits.length === 0,
        ...(hits.length > 0
          ? {
              detail: hits
                .slice(0, 3)
                .map((w) => w.message)
                .join('; '),
            }
          : {}),
      };
    }
    const v = reportValueAt(report, rule.path);
    if (v === undefined || v === null) return { rule: rule.text, value: null, pass: false, detail: `${rule.path.join('.')} is not in the report` };
    if (typeof v !== 'number' && typeof v !== 'string' && typeof v !== 'boolean')
      return { rule: rule.text, value: null, pass: false, detail: `${rule.path.join('.')} is not a single value` };
    if (typeof rule.value === 'number' && typeof v !== 'number')
      return { rule: rule.text, value: String(v), pass: false, detail: `${rule.path.join('.')} is not a number` };
    return { rule: rule.text, value: typeof v === 'boolean' ? String(v) : v, pass: compare(v, rule.op, rule.value) };
  });
  return { verdict: results.every((r) => r.pass) ? 'pass' : 'fail', rules: results };
}
