import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { executionIdParams, htmlPage, jsonObject } from '../openapi/apiSchemas.js';
import { contract } from '../openapi/routeContract.js';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { SluiceError } from '../../core/errors.js';
import { reportFolder } from '../reportFolder.js';
import { quoteValue } from '../../core/quoteValue.js';
import type { ServerContext } from '../serverContext.js';
import { pageHeaders } from '../pageHeaders.js';

const FILES: Record<string, string> = { 'report.html': 'text/html; charset=utf-8', 'report.json': 'application/json' };

/** The report an execution's `report` step wrote (`.sluice/reports/<execution>/report.{html,json}`). */
export function reportRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/reports/:id/:file',
    contract({
      params: z.object({ id: executionIdParams.shape.id, file: z.enum(['report.html', 'report.json']) }),
      ok: {
        200: {
          description: 'The report (sandboxed by its Content-Security-Policy)',
          content: { 'text/html': htmlPage, 'application/json': jsonObject.meta({ description: 'docs/report.schema.json' }) },
        },
      },
      errors: { 400: 'Not report.html or report.json', 404: 'No such execution, or no report yet (NOT_FOUND)' },
    }),
    async (req, reply) => {
      const { id, file } = req.params as { id: string; file: string };
      const type = FILES[file];
      // The id is checked against the store, so no path outside the reports folder can be named.
      if (!type || !(await ctx.runtime.store.get(id))) throw new SluiceError('NOT_FOUND', `no report ${quoteValue(`${id}/${file}`)}`, { httpStatus: 404 });
      const body = await readFile(join(await reportFolder(ctx.runtime, id), file)).catch(() => {
        throw new SluiceError('NOT_FOUND', `execution ${quoteValue(id)} has no ${quoteValue(file)} (yet)`, {
          httpStatus: 404,
          hint: 'the report step writes it',
        });
      });
      return reply.type(type).headers(pageHeaders('document')).send(body);
    },
  );
}
