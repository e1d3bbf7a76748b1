import { html } from '../../../core/html.js';
import type { FeatureGroup } from '../../../features/types.js';
import { consoleLayout, type Frame } from '../consoleLayout.js';
import { when } from '../format.js';
import { notice, table } from '../fragments.js';

/** The feature groups of the project. */
export function featuresPage(frame: Frame, groups: readonly FeatureGroup[] | undefined): string {
  const b = frame.base;
  if (!groups)
    return consoleLayout(frame, 'Features', 'Features', html`<h1>Feature groups</h1>${notice('warn', 'The feature store is not available in this server.')}`);
  return consoleLayout(
    frame,
    'Features',
    'Features',
    html`<h1>Feature groups</h1>
${
  groups.length
    ? table(
        'Feature groups',
        ['Group', 'Record id', 'Event time', 'Features', 'Version', 'Updated'],
        groups.map(
          (g) => html`<tr>
<td><a href="${b}/features/${encodeURIComponent(g.name)}">${g.name}</a>${g.description ? html`<br><span class="muted">${g.description}</span>` : ''}</td>
<td><code>${g.recordIdentifier}</code></td><td><code>${g.eventTime}</code></td><td class="num">${g.features.length}</td><td class="num">${g.version}</td>
<td><time datetime="${g.updatedAt}">${when(g.updatedAt)}</time></td></tr>`,
        ),
        { numeric: [3, 4], stack: true },
      )
    : notice('warn', 'No feature groups yet: an approved batch is ingested into the group named in sluice.yaml (featureGroup).')
}`,
  );
}
