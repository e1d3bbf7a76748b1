import { html, raw, type SafeHtml } from '../../core/html.js';

/**
 * The `<head>` of a self-contained report page (the insights report and the model report): the
 * Content-Security-Policy that forbids every script and external resource (inline CSS and SVG
 * only), the title (escaped) and the page's CSS.
 */
export function reportHead(title: string, css: string): SafeHtml {
  return html`<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${title}</title><style>${raw(css)}</style></head>`;
}
