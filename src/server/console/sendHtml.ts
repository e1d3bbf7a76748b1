import type { FastifyReply } from 'fastify';

/**
 * Console pages: nothing external (no CDN, no script at all), framable by nothing, forms post
 * only here, iframes only from this origin (the embedded report).
 */
export const CONSOLE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** Sends a console page with its security headers. */
export function sendHtml(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-frame-options', 'DENY')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .header('cache-control', 'no-store')
    .send(body);
}

/**
 * Sends a stored report (insights or model report) so the console can embed it in a sandboxed
 * iframe: framable by this origin only, scripts off (CSP `sandbox`), nothing fetched.
 */
export function sendEmbeddable(reply: FastifyReply, body: Buffer | string): FastifyReply {
  return reply
    .code(200)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox")
    .header('x-frame-options', 'SAMEORIGIN')
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'no-store')
    .send(body);
}
