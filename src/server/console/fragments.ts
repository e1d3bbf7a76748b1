import { escapeHtml, html, raw, type SafeHtml } from '../../core/html.js';

/** A status word as a coloured badge (the word itself carries the meaning, not the colour). */
export function badge(status: string): SafeHtml {
  return html`<span class="badge ${status}">${status}</span>`;
}

/**
 * A table inside a sideways-scrolling box, with a caption for screen readers. With `stack`, each
 * row becomes a card on a phone: every cell is labelled with its column (a `data-label` the CSS shows).
 */
export function table(
  caption: string,
  head: readonly string[],
  rows: readonly SafeHtml[],
  opts: { visibleCaption?: boolean; numeric?: readonly number[]; stack?: boolean } = {},
): SafeHtml {
  const numeric = new Set(opts.numeric ?? []);
  const body = opts.stack ? rows.map((r) => labelCells(r, head)) : rows;
  return html`<div class="scroll"><table${opts.stack ? html` class="stack"` : ''}><caption${opts.visibleCaption ? '' : html` class="sr"`}>${caption}</caption>
<thead><tr>${head.map((h, i) => html`<th scope="col"${numeric.has(i) ? html` class="num"` : ''}>${h}</th>`)}</tr></thead>
<tbody>${body}</tbody></table></div>`;
}

/** Adds `data-label="<column>"` to the cells of one row, in order (rows hold no nested tables). */
function labelCells(row: SafeHtml, head: readonly string[]): SafeHtml {
  let i = 0;
  // Our own markup, with the labels escaped: safe to keep as markup.
  return raw(row.value.replace(/<td(?=[\s>])/g, () => `<td data-label="${escapeHtml(head[i++] ?? '')}"`));
}

/** A notice box: `done` (green), `refused` (red), `warn` (orange). */
export function notice(kind: 'done' | 'refused' | 'warn', text: string, hint?: string): SafeHtml {
  return html`<div class="${kind}" role="${kind === 'refused' ? 'alert' : 'status'}"><p>${text}</p>${hint ? html`<p class="muted">${hint}</p>` : ''}</div>`;
}

/** A CSRF-protected POST form's hidden field. */
export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="csrf" value="${token}">`;
}
