import { html } from '../../../core/html.js';
import { consoleLayout, type Frame } from '../consoleLayout.js';
import { notice } from '../fragments.js';

/** A console page for a refusal or a missing thing (404, 403, 409): what happened and what to do. */
export function errorPage(frame: Frame, status: number, message: string, hint?: string): string {
  const title = status === 404 ? 'Not found' : status === 403 ? 'Not allowed' : status >= 500 ? 'Something failed' : 'Refused';
  return consoleLayout(
    frame,
    title,
    undefined,
    html`<h1>${title}</h1>${notice('refused', message, hint)}<p><a href="${frame.base}/">Back to the inbox</a></p>`,
  );
}
