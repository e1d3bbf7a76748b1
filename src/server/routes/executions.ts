import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { SluiceError } from '../../core/errors.js';
import { plan } from '../../pipeline/plan.js';
import { admitInputFile, projectInputRoots } from '../../pipeline/triggers/admitInputFile.js';
import type { ExecutionRecord, ExecutionStatus } from '../../pipeline/store/ExecutionStore.js';
import type { ServerContext } from '../serverContext.js';
import { executionEventSchema, executionIdParams, executionSchema, jsonObject } from '../openapi/apiSchemas.js';
import { contract } from '../openapi/routeContract.js';

const STATUSES = ['running', 'waiting', 'succeeded', 'failed', 'skipped'] as const;

const listQuery = z.object({
  status: z.enum(STATUSES).optional().meta({ description: 'Only executions in this state' }),
  file: z.string().optional().meta({ description: 'Only executions of this file (its path as recorded)' }),
  limit: z.coerce.number().int().min(1).max(1000).default(100).meta({ description: 'At most this many (1-1000)' }),
  offset: z.coerce.number().int().min(0).default(0).meta({ description: 'Skip this many, for paging' }),
});

const startBody = z.object({
  file: z.string().min(1).meta({ description: 'A file in the inbox, the archive or one of inputRoots (a path on the server)' }),
  allowDuplicate: z.boolean().optional().meta({ description: 'Process it even if the same content was processed before' }),
  input: jsonObject.optional().meta({ description: 'Extra fields handed to the pipeline as its input' }),
});

const executionDetail = executionSchema.extend({
  results: jsonObject.meta({ description: 'The result of each finished state, by state name' }),
  definition: jsonObject.meta({ description: 'The pipeline the execution runs (docs/pipeline.schema.json)' }),
});

/** An execution as the API shows it (the definition is available separately). */
export function executionJson(r: ExecutionRecord): Record<string, unknown> {
  const { definition: _d, ...rest } = r;
  return rest;
}

/** REST routes for executions: list, start, show, history, redrive. */
export function executionRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { store, orchestrator, project } = { store: ctx.runtime.store, orchestrator: ctx.runtime.orchestrator, project: ctx.runtime.project };

  app.get(
    '/api/executions',
    contract({
      query: listQuery,
      ok: {
        200: {
          description: 'A page of executions and how many there are (of that status)',
          json: z.object({ executions: z.array(executionSchema), total: z.number().int() }),
        },
      },
      errors: { 400: 'A query parameter out of range (BAD_REQUEST)' },
    }),
    async (req) => {
      const q = req.query as { status?: ExecutionStatus; file?: string; limit: number; offset: number };
      return { executions: (await store.list(q)).map(executionJson), total: await store.count(q.status) };
    },
  );

  app.post(
    '/api/executions',
    contract({
      body: startBody,
      ok: {
        201: { description: 'Started', json: executionSchema },
        200: { description: 'Not started: the same content was processed before (status skipped, duplicateOf names the earlier one)', json: executionSchema },
      },
      errors: {
        400: 'A missing or bad field (BAD_REQUEST), no such file on the server (FILE_NOT_FOUND) or not a regular data file (INPUT_NOT_A_FILE)',
        403: "A file outside the inbox, the archive and inputRoots, part of Sluice's own state, or unreadable (INPUT_REFUSED, INPUT_UNREADABLE, ...)",
        413: 'The body is larger than 1 MB',
        415: 'The body is not JSON',
      },
    }),
    async (req, reply) => {
      const body = req.body as z.output<typeof startBody>;
      // Only files of the inbox, the archive and inputRoots, regular, resolved: an approver cannot make the server read /etc or /proc.
      const file = await admitInputFile(body.file, projectInputRoots(project));
      const rec = await orchestrator.startFile(file, {
        allowDuplicate: body.allowDuplicate === true,
        ...(body.input ? { input: body.input } : {}),
      });
      reply.code(rec.status === 'skipped' ? 200 : 201);
      if (ctx.auth && rec.status !== 'skipped') {
        await ctx.auth.audit({
          actor: ctx.auth.userOf(req)?.name ?? 'anonymous',
          action: 'execution.start',
          target: `execution:${rec.id}`,
          detail: `file ${file}`,
          ip: req.ip,
        });
      }
      return executionJson(rec);
    },
  );

  app.get(
    '/api/executions/:id',
    contract({
      params: executionIdParams,
      ok: { 200: { description: 'The execution, its results so far and its pipeline', json: executionDetail } },
      errors: { 404: 'No execution with this id (EXECUTION_NOT_FOUND)' },
    }),
    async (req) => {
      const rec = await store.require((req.params as { id: string }).id);
      const history = await store.events(rec.id);
      return { ...executionJson(rec), results: plan(rec.definition, history).results, definition: rec.definition };
    },
  );

  app.get(
    '/api/executions/:id/history',
    contract({
      params: executionIdParams,
      ok: {
        200: { description: 'Every event of the execution, oldest first', json: z.object({ executionId: z.string(), events: z.array(executionEventSchema) }) },
      },
      errors: { 404: 'No execution with this id (EXECUTION_NOT_FOUND)' },
    }),
    async (req) => {
      const rec = await store.require((req.params as { id: string }).id);
      return { executionId: rec.id, events: await store.events(rec.id) };
    },
  );

  app.post(
    '/api/executions/:id/redrive',
    contract({
      params: executionIdParams,
      ok: { 200: { description: 'The execution, running again from its failed step', json: executionSchema } },
      errors: { 404: 'No execution with this id (EXECUTION_NOT_FOUND)', 409: 'The execution has not failed, so there is nothing to redrive' },
    }),
    async (req) => {
      const who = ctx.authenticate ? await ctx.authenticate(req) : undefined;
      if (who?.role !== 'admin')
        throw new SluiceError('FORBIDDEN', 'only an admin can redrive an execution', { httpStatus: 403, hint: 'authenticate as an admin' });
      const rec = await orchestrator.redrive((req.params as { id: string }).id, who.name);
      await ctx.auth?.audit({ actor: who.name, action: 'execution.redrive', target: `execution:${rec.id}`, detail: null, ip: req.ip });
      return executionJson(rec);
    },
  );
}
