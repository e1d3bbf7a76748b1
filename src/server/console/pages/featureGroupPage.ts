import { html } from '../../../core/html.js';
import type { GroupDescription } from '../../../features/FeatureStore.js';
import type { FeatureRecord } from '../../../features/types.js';
import { consoleLayout, type Frame } from '../consoleLayout.js';
import { cell, num, when } from '../format.js';
import { notice, table } from '../fragments.js';

export interface FeatureGroupPageData {
  group: GroupDescription;
  /** Latest live records from the offline store (a sample). */
  sample: Array<Record<string, unknown>>;
  sampleError?: string | undefined;
  /** The id asked for with the lookup form, and what the online store answered. */
  lookup?: { id: string; record: FeatureRecord | null } | undefined;
}

/** One feature group: schema, offline figures, a sample of records and a look-up by record id. */
export function featureGroupPage(frame: Frame, d: FeatureGroupPageData): string {
  const g = d.group;
  const b = frame.base;
  const cols = g.features.map((f) => f.name);
  return consoleLayout(
    frame,
    `Feature group ${g.name}`,
    'Features',
    html`
<p><a href="${b}/features">← Feature groups</a></p>
<h1>Feature group ${g.name}</h1>
${g.description ? html`<p>${g.description}</p>` : ''}
<dl class="kv"><dt>Record id</dt><dd><code>${g.recordIdentifier}</code></dd><dt>Event time</dt><dd><code>${g.eventTime}</code></dd>
<dt>Schema version</dt><dd>${g.version}</dd><dt>Online TTL</dt><dd>${g.ttlSeconds ? `${num(g.ttlSeconds)} s` : 'never expires'}</dd>
<dt>Offline history</dt><dd>${num(g.offline.batches)} batches, ${num(g.offline.rows)} rows, ${num(g.offline.files)} files</dd>
<dt>Created</dt><dd>${when(g.createdAt)}</dd></dl>

<h2 id="lookup-h">Look up a record</h2>
<form method="get" action="${b}/features/${encodeURIComponent(g.name)}" role="search" aria-labelledby="lookup-h">
<label for="id">${g.recordIdentifier}</label><input type="text" id="id" name="id" value="${d.lookup?.id ?? ''}" maxlength="500" required>
<button type="submit">Look up</button></form>
${
  d.lookup
    ? d.lookup.record
      ? html`<h3>Record ${d.lookup.id}</h3><p class="muted">event time ${when(d.lookup.record.eventTime)}${d.lookup.record.expiresAt ? html`, expires ${when(d.lookup.record.expiresAt)}` : ''}</p>
${table(
  `Online record ${d.lookup.id}`,
  ['Feature', 'Value'],
  Object.entries(d.lookup.record.values).map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${cell(v, 400)}</td></tr>`),
)}`
      : notice(
          'refused',
          `No record with ${g.recordIdentifier} = "${d.lookup.id}" in the online store.`,
          'check the id; deleted or expired records are not found',
        )
    : ''
}

<h2>Schema</h2>
${table(
  'Features',
  ['Feature', 'Type', 'Role'],
  g.features.map(
    (f) =>
      html`<tr><td><code>${f.name}</code></td><td>${f.type}</td><td>${f.name === g.recordIdentifier ? 'record id' : f.name === g.eventTime ? 'event time' : ''}</td></tr>`,
  ),
)}

<h2>Sample records</h2>
${
  d.sampleError
    ? notice('warn', d.sampleError)
    : d.sample.length
      ? table(
          'Latest records (sample)',
          cols,
          d.sample.map((r) => html`<tr>${cols.map((c) => html`<td>${cell(r[c])}</td>`)}</tr>`),
        )
      : html`<p class="muted">No records yet.</p>`
}
${
  g.history.length > 1
    ? html`<h2>Schema history</h2>${table(
        'Schema changes',
        ['Version', 'When', 'Change', 'Features'],
        g.history.map(
          (h) =>
            html`<tr><td>${h.version}</td><td>${when(h.at)}</td><td>${h.kind}</td><td>${h.features.map((f) => `${f.name} (${f.type})`).join(', ')}</td></tr>`,
        ),
      )}`
    : ''
}`,
  );
}
