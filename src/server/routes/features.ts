import type { FastifyError, FastifyInstance } from 'fastify';
import { SluiceError, isSluiceError, toSluiceError } from '../../core/errors.js';
import type { FeatureStore } from '../../features/FeatureStore.js';
import { quoteValue } from '../../core/quoteValue.js';
import { boundErrorBody } from '../boundErrorBody.js';

export interface FeatureRoutesOptions {
  store: FeatureStore;
}

/** At most this many ids per batch get, so one request cannot hold the server. */
const MAX_BATCH_IDS = 1000;

/**
 * The feature store's HTTP routes (a Fastify 5 plugin; mount with `app.register(featureRoutes,
 * { store, prefix: '/api' })`):
 *
 * - `GET    /features/groups`                          list groups
 * - `GET    /features/groups/:group`                   describe a group
 * - `GET    /features/groups/:group/records/:id`       latest record (404 when none)
 * - `POST   /features/records/batch-get`               `{requests: [{group, ids: [...]}]}`
 * - `PUT    /features/groups/:group/records`           `{record: {...}, ttlSeconds?}`
 * - `DELETE /features/groups/:group/records/:id`       `?eventTime=ISO` (404 when none)
 *
 * Errors are JSON `{error: {code, message, hint, location}}` with the error's HTTP status:
 * an unknown group or id is a clean 404.
 */
export async function featureRoutes(app: FastifyInstance, options: FeatureRoutesOptions): Promise<void> {
  const { store } = options;

  app.setErrorHandler((err: FastifyError | SluiceError, _req, reply) => {
    let e: SluiceError;
    if (isSluiceError(err)) e = err;
    else if ((err as FastifyError).validation || (err as FastifyError).statusCode === 400 || (err as FastifyError).statusCode === 415) {
      e = new SluiceError('REQUEST_INVALID', err.message, { hint: 'send a JSON body as documented in docs/features.md', httpStatus: (err as FastifyError).statusCode ?? 400 });
    } else if ((err as FastifyError).statusCode && (err as FastifyError).statusCode! < 500) {
      e = new SluiceError('REQUEST_INVALID', err.message, { httpStatus: (err as FastifyError).statusCode });
    } else e = toSluiceError(err);
    if (e.httpStatus >= 500) app.log.error(err);
    void reply.status(e.httpStatus).send({ error: boundErrorBody(e.toJSON()) });
  });

  app.get('/features/groups', async () => ({ groups: await store.listGroups() }));

  app.get<{ Params: { group: string } }>('/features/groups/:group', async (req) => store.describeGroup(req.params.group));

  app.get<{ Params: { group: string; id: string } }>('/features/groups/:group/records/:id', async (req) => {
    const rec = await store.getRecord(req.params.group, req.params.id);
    if (!rec) throw notFound(req.params.group, req.params.id);
    return rec;
  });

  app.post<{ Body: { requests?: Array<{ group?: unknown; ids?: unknown }> } }>('/features/records/batch-get', async (req) => {
    const requests = req.body?.requests;
    if (!Array.isArray(requests)) {
      throw new SluiceError('REQUEST_INVALID', 'the body needs "requests": [{"group": "...", "ids": ["..."]}]', { location: { field: 'requests' }, hint: 'send JSON with a requests array' });
    }
    let total = 0;
    const clean = requests.map((r, i) => {
      if (!r || typeof r.group !== 'string' || !Array.isArray(r.ids) || !r.ids.every((x) => typeof x === 'string' || typeof x === 'number')) {
        throw new SluiceError('REQUEST_INVALID', `requests[${i}] needs a "group" string and an "ids" array of strings`, { location: { field: `requests[${i}]` }, hint: '{"group": "patients", "ids": ["1", "2"]}' });
      }
      total += r.ids.length;
      return { group: r.group, ids: r.ids.map(String) };
    });
    if (total > MAX_BATCH_IDS) {
      throw new SluiceError('REQUEST_TOO_LARGE', `${total} ids asked for; at most ${MAX_BATCH_IDS} per request`, { hint: 'split the request', httpStatus: 413 });
    }
    const results = await store.batchGet(clean);
    return { results, missing: results.filter((r) => r.record === null).length };
  });

  app.put<{ Params: { group: string }; Body: { record?: Record<string, unknown>; ttlSeconds?: number | null } }>('/features/groups/:group/records', async (req) => {
    const body = req.body;
    if (!body || typeof body.record !== 'object' || body.record === null) {
      throw new SluiceError('REQUEST_INVALID', 'the body needs "record": {feature: value, ...}', { location: { field: 'record' }, hint: 'include the id and event time columns' });
    }
    if (body.ttlSeconds !== undefined && body.ttlSeconds !== null && (!Number.isInteger(body.ttlSeconds) || body.ttlSeconds <= 0)) {
      throw new SluiceError('REQUEST_INVALID', 'ttlSeconds must be a positive whole number', { location: { field: 'ttlSeconds' } });
    }
    const r = await store.putRecord(req.params.group, body.record, { ttlSeconds: body.ttlSeconds });
    return { group: r.group, written: r.onlineWritten === 1, ignoredAsOlder: r.onlineIgnored === 1, batchId: r.batchId };
  });

  app.delete<{ Params: { group: string; id: string }; Querystring: { eventTime?: string } }>('/features/groups/:group/records/:id', async (req) => {
    const ok = await store.deleteRecord(req.params.group, req.params.id, { eventTime: req.query.eventTime });
    if (!ok) throw notFound(req.params.group, req.params.id);
    return { group: req.params.group, id: req.params.id, deleted: true };
  });
}

function notFound(group: string, id: string): SluiceError {
  return new SluiceError('RECORD_NOT_FOUND', `feature group "${group}" has no live record with id ${quoteValue(id)}`, {
    location: { field: 'id' },
    hint: 'the id was never ingested, was deleted, or its TTL expired',
    httpStatus: 404,
  });
}
