import { html } from '../../../core/html.js';
import { consoleLayout, type Frame } from '../consoleLayout.js';
import { table } from '../fragments.js';

export interface SettingsPageData {
  root: string;
  configFile: string;
  /** Already redacted (see redactConfig) and flattened. */
  settings: Array<[string, string]>;
  pipeline: { name: string; states: string[] };
}

/** A read-only view of the project configuration; secrets never reach this page. */
export function settingsPage(frame: Frame, d: SettingsPageData): string {
  return consoleLayout(
    frame,
    'Settings',
    'Settings',
    html`<h1>Settings</h1>
<p>Read-only. The configuration lives in <code>${d.configFile}</code>; edit it there and restart the server. Passwords, secrets and credentials are never shown.</p>
<dl class="kv"><dt>Project folder</dt><dd><code>${d.root}</code></dd><dt>Pipeline</dt><dd>${d.pipeline.name}: ${d.pipeline.states.join(' · ')}</dd></dl>
${table(
  'Configuration (sluice.yaml, with defaults)',
  ['Setting', 'Value'],
  d.settings.map(([k, v]) => html`<tr><th scope="row"><code>${k}</code></th><td>${v}</td></tr>`),
  { visibleCaption: true },
)}`,
  );
}
