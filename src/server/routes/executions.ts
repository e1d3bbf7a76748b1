import type { FastifyInstance } from 'fastify';
import { SluiceError } from '../../core/errors.js';
import { plan } from '../../pipeline/plan.js';
import { admitInputFile, projectInputRoots } from '../../pipeline/triggers/admitInputFile.js';
import type { ExecutionRecord, ExecutionStatus } from '../../pipeline/store/ExecutionStore.js';
import type { ServerContext } from '../serverContext.js';

const STATUSES = ['running', 'waiting', 'succeeded', 'failed', 'skipped'] as const;

/** An execution as the API shows it (the definition is available separately). */
export function executionJson(r: ExecutionRecord): Record<string, unknown> {
  const { definition: _d, ...rest } = r;
  return rest;
}

/** REST routes for executions: list, start, show, history, redrive. */
export function executionRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { store, orchestrator, project } = { store: ctx.runtime.store, orchestrator: ctx.runtime.orchestrator, project: ctx.runtime.project };

  app.get('/api/executions', {
    schema: { querystring: { type: 'object', properties: { status: { type: 'string', enum: [...STATUSES] }, file: { type: 'string' }, limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, offset: { type: 'integer', minimum: 0, default: 0 } } } },
  }, async (req) => {
    const q = req.query as { status?: ExecutionStatus; file?: string; limit: number; offset: number };
    return { executions: store.list(q).map(executionJson), total: store.count(q.status) };
  });

  app.post('/api/executions', {
    schema: {
      body: { type: 'object', required: ['file'], additionalProperties: false, properties: { file: { type: 'string', minLength: 1 }, allowDuplicate: { type: 'boolean' }, input: { type: 'object' } } },
    },
  }, async (req, reply) => {
    const body = req.body as { file: string; allowDuplicate?: boolean; input?: Record<string, unknown> };
    // Only files of the inbox, the archive and inputRoots, regular, resolved: an approver cannot make the server read /etc or /proc.
    const file = await admitInputFile(body.file, projectInputRoots(project));
    const rec = await orchestrator.startFile(file, { allowDuplicate: body.allowDuplicate === true || project.config.duplicates === 'process', ...(body.input ? { input: body.input } : {}) });
    reply.code(rec.status === 'skipped' ? 200 : 201);
    if (ctx.auth && rec.status !== 'skipped') {
      ctx.auth.audit({ actor: ctx.auth.userOf(req)?.name ?? 'anonymous', action: 'execution.start', target: `execution:${rec.id}`, detail: `file ${file}`, ip: req.ip });
    }
    return executionJson(rec);
  });

  app.get('/api/executions/:id', async (req) => {
    const rec = store.require((req.params as { id: string }).id);
    const history = store.events(rec.id);
    return { ...executionJson(rec), results: plan(rec.definition, history).results, definition: rec.definition };
  });

  app.get('/api/executions/:id/history', async (req) => {
    const rec = store.require((req.params as { id: string }).id);
    return { executionId: rec.id, events: store.events(rec.id) };
  });

  app.post('/api/executions/:id/redrive', async (req) => {
    const who = ctx.authenticate ? await ctx.authenticate(req) : undefined;
    if (!who || who.role !== 'admin') throw new SluiceError('FORBIDDEN', 'only an admin can redrive an execution', { httpStatus: 403, hint: 'authenticate as an admin' });
    const rec = orchestrator.redrive((req.params as { id: string }).id, who.name);
    ctx.auth?.audit({ actor: who.name, action: 'execution.redrive', target: `execution:${rec.id}`, detail: null, ip: req.ip });
    return executionJson(rec);
  });
}
