import type { FastifyReply } from 'fastify';
import { sendPageOf } from '../pageHeaders.js';

/** Sends a server-rendered page (login, messages): nothing external, no framing, no caching. */
export function sendPage(reply: FastifyReply, status: number, body: string): FastifyReply {
  return sendPageOf('page', reply, status, body);
}
