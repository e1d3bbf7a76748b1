import { html } from '../../core/html.js';
import type { Report } from '../reportSchema.js';
import { definitionsSection } from './definitions.js';
import { featureDetailsSection, featureSummarySection } from './featureSections.js';
import { fmt } from './format.js';
import { modelSection, targetSection } from './modelSections.js';
import { highWarningsSection, summarySection, verdictSection } from './overviewSections.js';
import { anomaliesSection, biasSection, correlationSection, driftSection, duplicatesSection } from './relationSections.js';
import { reportHead } from './reportHead.js';
import { REPORT_CSS } from './styles.js';

const NAV: Array<[string, string]> = [
  ['verdict', 'Verdict'],
  ['high-warnings', 'High warnings'],
  ['summary', 'Summary'],
  ['target', 'Target'],
  ['quick-model', 'Quick model'],
  ['features', 'Features'],
  ['feature-details', 'Details'],
  ['correlations', 'Correlations'],
  ['bias', 'Bias'],
  ['drift', 'Drift'],
  ['anomalies', 'Anomalies'],
  ['duplicates', 'Duplicates'],
  ['definitions', 'Definitions'],
];

/**
 * Renders a report as one self-contained HTML page: inline CSS and SVG, no script, no external
 * resource (a Content-Security-Policy forbids any), sections in the order an approver reads.
 * Every value from the data passes through the escaping `html` template.
 */
export function renderReportHtml(r: Report): string {
  const page = html`<!doctype html>
<html lang="en">${reportHead(`Data report: ${r.source.name}`, REPORT_CSS)}
<body><header class="top"><h1>Data quality and insights: ${r.source.name}</h1><div class="meta">${fmt(r.dataset.rows)} rows × ${r.dataset.columns} columns${r.target ? ` · target ${r.target.column}` : ''}${r.source.baseline ? ` · baseline ${r.source.baseline}` : ''} · ${r.generatedAt}</div></header>
<nav>${NAV.map(([id, label]) => html`<a href="#${id}">${label}</a>`)}</nav>
<main>${verdictSection(r)}${highWarningsSection(r)}${summarySection(r)}${targetSection(r)}${modelSection(r)}${featureSummarySection(r)}${featureDetailsSection(r)}${correlationSection(r)}${biasSection(r)}${driftSection(r)}${anomaliesSection(r)}${duplicatesSection(r)}${definitionsSection(r)}</main></body></html>
`;
  return page.value;
}
