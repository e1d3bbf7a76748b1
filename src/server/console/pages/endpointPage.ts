import { html } from '../../../core/html.js';
import type { ColumnSchema } from '../../../core/types.js';
import type { Prediction } from '../../endpoint/Predictor.js';
import { consoleLayout, type Frame } from '../consoleLayout.js';
import { num } from '../format.js';
import { csrfField, notice, table } from '../fragments.js';

export interface EndpointPageData {
  /** Absent when this server does not serve predictions. */
  model: string | undefined;
  loaded: { name: string; version: string; labels: readonly string[]; inputs: readonly ColumnSchema[] } | undefined;
  /** The registry's champion version, which the endpoint follows. */
  championVersion: number | undefined;
  csrf: string;
  format: 'csv' | 'json';
  body: string;
  result?: { predictions: Prediction[]; version: string } | { error: { code: string; message: string; hint?: string | undefined } } | undefined;
}

/** The real-time endpoint: what it serves, and a form that scores records with the same predictor as /invocations. */
export function endpointPage(frame: Frame, d: EndpointPageData): string {
  const b = frame.base;
  if (!d.model)
    return consoleLayout(
      frame,
      'Endpoint',
      'Endpoint',
      html`<h1>Endpoint</h1>${notice('warn', 'This server does not serve predictions (no endpoint is mounted).', 'start the server with the endpoint for a registered model')}`,
    );
  const l = d.loaded;
  return consoleLayout(
    frame,
    'Endpoint',
    'Endpoint',
    html`<h1>Endpoint</h1>
<dl class="kv"><dt>Status</dt><dd>${l ? html`<span class="ok">serving</span>` : html`<span class="fail">no model loaded</span> (POST /invocations answers 503)`}</dd>
<dt>Model</dt><dd><a href="${b}/models/${encodeURIComponent(d.model)}">${d.model}</a></dd>
<dt>Loaded version</dt><dd>${l ? l.version : '—'}</dd>
<dt>Registry champion</dt><dd>${d.championVersion !== undefined ? `version ${d.championVersion}` : 'none'}${l && d.championVersion !== undefined && String(d.championVersion) !== l.version ? html` <span class="muted">(loading…)</span>` : ''}</dd>
${l ? html`<dt>Classes</dt><dd>${l.labels.join(', ')}</dd>` : ''}
<dt>API</dt><dd><code>POST /invocations</code> (text/csv or application/json), <code>GET /ping</code></dd></dl>
${l ? html`<h2>Inputs</h2><p class="muted">${l.inputs.map((c) => `${c.name} (${c.type})`).join(', ')}</p>` : ''}

<h2 id="try">Try a prediction</h2>
${
  l
    ? html`<form method="post" action="${b}/endpoint/predict">${csrfField(d.csrf)}
<label for="format">Format</label><select id="format" name="format"><option value="csv"${d.format === 'csv' ? html` selected` : ''}>CSV (header row, then records)</option><option value="json"${d.format === 'json' ? html` selected` : ''}>JSON ({"instances": [...]})</option></select>
<label for="records">Records</label><textarea id="records" name="records" rows="6" maxlength="100000" spellcheck="false">${d.body}</textarea>
<button type="submit" class="primary">Predict</button></form>`
    : html`<p class="muted">Promote an approved version to champion first.</p>`
}
${
  d.result
    ? 'error' in d.result
      ? notice('refused', `${d.result.error.code}: ${d.result.error.message}`, d.result.error.hint)
      : html`<h3>Predictions (version ${d.result.version})</h3>${table(
          'Predictions',
          ['#', 'Predicted', ...(d.result.predictions[0]?.labels ?? []).map((x) => `P(${x})`)],
          d.result.predictions.map(
            (p, i) =>
              html`<tr><td class="num">${i + 1}</td><td><b>${p.predicted_label}</b></td>${p.probabilities.map((x) => html`<td class="num">${num(x)}</td>`)}</tr>`,
          ),
        )}`
    : ''
}`,
  );
}
