import type { FastifyReply } from 'fastify';

/**
 * The kinds of HTML the server sends, each with its security headers, declared once:
 * - `page`: login and message pages (forms post only here, framed by nothing);
 * - `token`: pages opened from an approval link; like `page`, and the token never leaks as a referrer;
 * - `console`: console pages, which may frame this origin's reports;
 * - `embedded`: a stored report shown inside the console (framable by this origin, sandboxed);
 * - `document`: a stored report opened on its own (images inline only, framed by nothing).
 * None of them runs a script or fetches anything external.
 */
export type PageKind = 'page' | 'token' | 'console' | 'embedded' | 'document';

const FORM_PAGE = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** The console's Content-Security-Policy (its pages frame the embedded report). */
export const CONSOLE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const HEADERS: Record<PageKind, Record<string, string>> = {
  page: { 'content-security-policy': FORM_PAGE, 'x-frame-options': 'DENY', 'referrer-policy': 'same-origin' },
  token: { 'content-security-policy': FORM_PAGE, 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer' },
  console: { 'content-security-policy': CONSOLE_CSP, 'x-frame-options': 'DENY', 'referrer-policy': 'same-origin' },
  embedded: {
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox",
    'x-frame-options': 'SAMEORIGIN',
  },
  document: { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'", 'x-frame-options': 'DENY' },
};

/** The security headers of one kind of page, with the ones every page gets (no sniffing, no caching). */
export function pageHeaders(kind: PageKind): Record<string, string> {
  return { ...HEADERS[kind], 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' };
}

/** Sends server-rendered HTML with the headers of its kind. */
export function sendPageOf(kind: PageKind, reply: FastifyReply, status: number, body: string | Buffer): FastifyReply {
  return reply.code(status).header('content-type', 'text/html; charset=utf-8').headers(pageHeaders(kind)).send(body);
}
