import { html } from '../../../core/html.js';
import type { ModelSummary } from '../../../models/types.js';
import { consoleLayout, type Frame } from '../consoleLayout.js';
import { notice, table } from '../fragments.js';

/** The registered models with their champion and version count. */
export function modelsPage(frame: Frame, models: readonly ModelSummary[] | undefined): string {
  const b = frame.base;
  if (!models) return consoleLayout(frame, 'Models', 'Models', html`<h1>Models</h1>${notice('warn', 'The model registry is not available in this server.')}`);
  return consoleLayout(
    frame,
    'Models',
    'Models',
    html`<h1>Models</h1>
${
  models.length
    ? table(
        'Registered models',
        ['Model', 'Champion', 'Versions', 'Latest', 'Aliases'],
        models.map(
          (m) => html`<tr>
<td><a href="${b}/models/${encodeURIComponent(m.name)}">${m.name}</a></td>
<td>${m.aliases.champion !== undefined ? html`version ${m.aliases.champion}` : html`<span class="muted">none</span>`}</td>
<td class="num">${m.versions}</td><td class="num">${m.latestVersion}</td>
<td>${Object.entries(m.aliases)
            .map(([a, v]) => `${a} → ${v}`)
            .join(', ')}</td></tr>`,
        ),
        { numeric: [2, 3], stack: true },
      )
    : notice('warn', 'No models registered yet: the pipeline registers one after an approved batch is trained.')
}`,
  );
}
