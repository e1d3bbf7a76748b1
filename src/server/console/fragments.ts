import { html, type SafeHtml } from '../../core/html.js';

/** A status word as a coloured badge (the word itself carries the meaning, not the colour). */
export function badge(status: string): SafeHtml {
  return html`<span class="badge ${status}">${status}</span>`;
}

/** A table inside a sideways-scrolling box, with a caption for screen readers. */
export function table(caption: string, head: readonly string[], rows: readonly SafeHtml[], opts: { visibleCaption?: boolean; numeric?: readonly number[] } = {}): SafeHtml {
  const numeric = new Set(opts.numeric ?? []);
  return html`<div class="scroll"><table><caption${opts.visibleCaption ? '' : html` class="sr"`}>${caption}</caption>
<thead><tr>${head.map((h, i) => html`<th scope="col"${numeric.has(i) ? html` class="num"` : ''}>${h}</th>`)}</tr></thead>
<tbody>${rows}</tbody></table></div>`;
}

/** A notice box: `done` (green), `refused` (red), `warn` (orange). */
export function notice(kind: 'done' | 'refused' | 'warn', text: string, hint?: string): SafeHtml {
  return html`<div class="${kind}" role="${kind === 'refused' ? 'alert' : 'status'}"><p>${text}</p>${hint ? html`<p class="muted">${hint}</p>` : ''}</div>`;
}

/** A CSRF-protected POST form's hidden field. */
export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="csrf" value="${token}">`;
}
