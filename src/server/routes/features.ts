import type { FastifyError, FastifyInstance } from 'fastify';
import { z } from 'zod';
import { SluiceError, isSluiceError, toSluiceError } from '../../core/errors.js';
import type { FeatureStore } from '../../features/FeatureStore.js';
import { contract, type RouteContract } from '../openapi/routeContract.js';
import { quoteValue } from '../../core/quoteValue.js';
import { boundErrorBody } from '../boundErrorBody.js';

export interface FeatureRoutesOptions {
  store: FeatureStore;
}

/** At most this many ids per batch get, so one request cannot hold the server. */
const MAX_BATCH_IDS = 1000;

const group = z.string().meta({ description: "The feature group's name" });
const recordId = z.string().meta({ description: "The value of the group's record identifier" });
const groupSchema = z.object({
  name: z.string(),
  recordIdentifier: z.string(),
  eventTime: z.string(),
  features: z.array(z.object({ name: z.string(), type: z.string() })),
  description: z.string(),
  tags: z.record(z.string(), z.string()),
  ttlSeconds: z.number().nullable(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  history: z.array(z.record(z.string(), z.unknown())).meta({ description: "Changes of the group's definition" }),
});
const recordSchema = z.object({
  group: z.string(),
  id: z.string(),
  eventTime: z.string().meta({ description: 'ISO 8601, UTC' }),
  expiresAt: z.string().nullable().meta({ description: 'ISO 8601, UTC; null when the record never expires' }),
  values: z.record(z.string(), z.unknown()),
});
const unknownGroup = 'No such feature group (FEATURE_GROUP_NOT_FOUND)';
const batchGetBody = z.object({
  requests: z
    .array(z.object({ group, ids: z.array(z.union([z.string(), z.number()])).meta({ description: 'Record ids (numbers are read as their text)' }) }))
    .meta({ examples: [[{ group: 'patients', ids: ['1', '2'] }]] }),
});
const putBody = z.object({
  record: z.record(z.string(), z.unknown()).meta({ description: 'Feature -> value, the id and event time columns included' }),
  ttlSeconds: z.number().int().positive().nullish().meta({ description: "The online record expires this long after its event time (default: the group's)" }),
});
/** The feature store's contract: its errors are `{ error }` and a bad body is REQUEST_INVALID. */
const store = (c: Omit<RouteContract, 'errorShape' | 'invalidCode'>) => contract({ errorShape: 'wrapped', invalidCode: 'REQUEST_INVALID', ...c });

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
  const { store: features } = options;

  app.setErrorHandler((err: FastifyError | SluiceError, _req, reply) => {
    let e: SluiceError;
    if (isSluiceError(err)) e = err;
    else if ((err as FastifyError).validation || (err as FastifyError).statusCode === 400 || (err as FastifyError).statusCode === 415) {
      e = new SluiceError('REQUEST_INVALID', err.message, {
        hint: 'send a JSON body as documented in docs/features.md',
        httpStatus: (err as FastifyError).statusCode ?? 400,
      });
    } else if ((err as FastifyError).statusCode && (err as FastifyError).statusCode! < 500) {
      e = new SluiceError('REQUEST_INVALID', err.message, { httpStatus: (err as FastifyError).statusCode });
    } else e = toSluiceError(err);
    if (e.httpStatus >= 500) app.log.error(err);
    void reply.status(e.httpStatus).send({ error: boundErrorBody(e.toJSON()) });
  });

  app.get(
    '/features/groups',
    store({
      ok: { 200: { description: 'Every feature group', json: z.object({ groups: z.array(groupSchema) }) } },
      errors: {},
    }),
    async () => ({ groups: await features.listGroups() }),
  );

  app.get<{ Params: { group: string } }>(
    '/features/groups/:group',
    store({
      params: z.object({ group }),
      ok: {
        200: {
          description: 'The group and its offline history',
          json: groupSchema.extend({ offline: z.object({ batches: z.number().int(), rows: z.number().int(), files: z.number().int() }) }),
        },
      },
      errors: { 404: unknownGroup },
    }),
    async (req) => features.describeGroup(req.params.group),
  );

  app.get<{ Params: { group: string; id: string } }>(
    '/features/groups/:group/records/:id',
    store({
      params: z.object({ group, id: recordId }),
      ok: { 200: { description: "The id's latest live record", json: recordSchema } },
      errors: { 404: `${unknownGroup}, or no live record with this id (RECORD_NOT_FOUND)` },
    }),
    async (req) => {
      const rec = await features.getRecord(req.params.group, req.params.id);
      if (!rec) throw notFound(req.params.group, req.params.id);
      return rec;
    },
  );

  app.post<{ Body: z.output<typeof batchGetBody> }>(
    '/features/records/batch-get',
    store({
      body: batchGetBody,
      ok: {
        200: {
          description: 'One result per id asked for, in order (record null when there is none), and how many were missing',
          json: z.object({ results: z.array(z.object({ group: z.string(), id: z.string(), record: recordSchema.nullable() })), missing: z.number().int() }),
        },
      },
      errors: { 400: 'A bad body (REQUEST_INVALID)', 404: unknownGroup, 413: `More than ${MAX_BATCH_IDS} ids (REQUEST_TOO_LARGE), or a body larger than 1 MB` },
    }),
    async (req) => {
      let total = 0;
      const clean = req.body.requests.map((r) => {
        total += r.ids.length;
        return { group: r.group, ids: r.ids.map(String) };
      });
      if (total > MAX_BATCH_IDS) {
        throw new SluiceError('REQUEST_TOO_LARGE', `${total} ids asked for; at most ${MAX_BATCH_IDS} per request`, {
          hint: 'split the request',
          httpStatus: 413,
        });
      }
      const results = await features.batchGet(clean);
      return { results, missing: results.filter((r) => r.record === null).length };
    },
  );

  app.put<{ Params: { group: string }; Body: z.output<typeof putBody> }>(
    '/features/groups/:group/records',
    store({
      params: z.object({ group }),
      body: putBody,
      ok: {
        200: {
          description: 'Written to the online store (or ignored as older than the live record) and appended to the offline history',
          json: z.object({ group: z.string(), written: z.boolean(), ignoredAsOlder: z.boolean(), batchId: z.string().nullable() }),
        },
      },
      errors: {
        400: 'A bad body (REQUEST_INVALID), a value of the wrong type (BATCH_INVALID) or an unknown feature (FEATURE_UNKNOWN)',
        404: unknownGroup,
        413: 'The body is larger than 1 MB',
      },
    }),
    async (req) => {
      const body = req.body;
      const r = await features.putRecord(req.params.group, body.record, { ttlSeconds: body.ttlSeconds });
      return { group: r.group, written: r.onlineWritten === 1, ignoredAsOlder: r.onlineIgnored === 1, batchId: r.batchId };
    },
  );

  app.delete<{ Params: { group: string; id: string }; Querystring: { eventTime?: string } }>(
    '/features/groups/:group/records/:id',
    store({
      params: z.object({ group, id: recordId }),
      query: z.object({ eventTime: z.string().optional().meta({ description: 'ISO time of the deletion, recorded in the offline history (default now)' }) }),
      ok: { 200: { description: 'Deleted', json: z.object({ group: z.string(), id: z.string(), deleted: z.literal(true) }) } },
      errors: { 400: 'A bad eventTime', 404: `${unknownGroup}, or no live record with this id (RECORD_NOT_FOUND)` },
    }),
    async (req) => {
      const ok = await features.deleteRecord(req.params.group, req.params.id, { eventTime: req.query.eventTime });
      if (!ok) throw notFound(req.params.group, req.params.id);
      return { group: req.params.group, id: req.params.id, deleted: true };
    },
  );
}

function notFound(group: string, id: string): SluiceError {
  return new SluiceError('RECORD_NOT_FOUND', `feature group "${group}" has no live record with id ${quoteValue(id)}`, {
    location: { field: 'id' },
    hint: 'the id was never ingested, was deleted, or its TTL expired',
    httpStatus: 404,
  });
}
