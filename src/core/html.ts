/**
 * The escaping template layer for every HTML page Sluice renders (reports, console, approval
 * pages). `html` is a tagged template: interpolated values are escaped unless they are already
 * {@link SafeHtml} (the result of another `html` call or of {@link raw}). Values from data can
 * therefore never inject markup or script.
 *
 * @example
 * html`<td>${row.name}</td>`            // escaped
 * html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>` // arrays of fragments are joined
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESC[c]!);
}

/** Marks trusted markup (e.g. an SVG built by Sluice's own chart code) as safe. Never pass data. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

function render(value: unknown): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(value);
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}
