import { html } from '../../core/html.js';
import { layout } from '../pages/layout.js';

export interface LoginPageInput {
  csrf: string;
  next: string;
  name?: string | undefined;
  /** Why the last attempt failed. */
  error?: string | undefined;
  /** Someone is already signed in. */
  signedInAs?: string | undefined;
}

/** The login form (GET/POST /login). */
export function loginPage(p: LoginPageInput): string {
  return layout(
    'Sign in',
    html`<h1>Sign in to Sluice</h1>
${p.error ? html`<p class="refused" role="alert">${p.error}</p>` : ''}
${p.signedInAs ? html`<p>You are signed in as <strong>${p.signedInAs}</strong>. Sign in again to switch user.</p>` : ''}
<form method="post" action="/login">
<input type="hidden" name="csrf" value="${p.csrf}">
<input type="hidden" name="next" value="${p.next}">
<p><label for="name">Name</label><br><input type="text" id="name" name="name" value="${p.name ?? ''}" autocomplete="username" required maxlength="200" ${p.name ? '' : html`autofocus`}></p>
<p><label for="password">Password</label><br><input type="password" id="password" name="password" autocomplete="current-password" required maxlength="1024" ${p.name ? html`autofocus` : ''} style="width:100%;box-sizing:border-box;font:inherit;padding:.4rem"></p>
<button type="submit">Sign in</button>
</form>
<p><small>Approval links from messages work without signing in.</small></p>`,
  );
}

/** A short page for refusals (403 for a weak role, CSRF failures). */
export function refusalPage(title: string, message: string, hint?: string): string {
  return layout(title, html`<h1>${title}</h1><p class="refused" role="alert">${message}</p>${hint ? html`<p>${hint}</p>` : ''}<p><a href="/">Home</a></p>`);
}
