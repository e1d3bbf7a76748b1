import type { FastifyReply } from 'fastify';
import { sendPageOf } from '../pageHeaders.js';

export { CONSOLE_CSP } from '../pageHeaders.js';

/** Sends a console page with its security headers (src/server/pageHeaders.ts). */
export function sendHtml(reply: FastifyReply, status: number, body: string): FastifyReply {
  return sendPageOf('console', reply, status, body);
}

/**
 * Sends a stored report (insights or model report) so the console can embed it in a sandboxed
 * iframe: framable by this origin only, scripts off (CSP `sandbox`), nothing fetched.
 */
export function sendEmbeddable(reply: FastifyReply, body: Buffer | string): FastifyReply {
  return sendPageOf('embedded', reply, 200, body);
}
