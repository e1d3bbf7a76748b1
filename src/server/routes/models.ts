import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { SluiceError, isSluiceError } from '../../core/errors.js';
import { fetchForPromotion, fetchForRollback } from '../../models/fetchForAliasChange.js';
import type { ModelRegistry } from '../../models/ModelRegistry.js';
import { CHAMPION, MODEL_STATUSES, checkName, checkStatus } from '../../models/types.js';
import type { FolderStore } from '../../storage/FolderStore.js';
import type { AuthGate } from '../auth/AuthGate.js';
import { contract, type ResponseDoc, type RouteContract } from '../openapi/routeContract.js';
import { boundErrorBody } from '../boundErrorBody.js';

export interface ModelsRoutesOptions {
  registry: ModelRegistry;
  /**
   * Who is making a change, for the history. Default: the `X-Sluice-User` header, else the
   * body's `by`. A server with authentication passes its own (the signed-in user).
   */
  whoIs?: (req: FastifyRequest) => string | undefined;
  /**
   * Authentication: reading needs a viewer, every change an admin (a signed-in admin also needs
   * the CSRF token, header X-CSRF-Token or field `csrf`); the change is made in the caller's name
   * and appended to the audit log.
   */
  auth?: AuthGate;
  /** `stores.artifacts`: a promotion or rollback on a machine without the versions' folders fetches and checks them first. */
  artifacts?: FolderStore;
}

type Params = { name: string; ref: string; alias: string };
type Body = Record<string, unknown> | undefined;

const name = z.string().meta({ description: "The model's name" });
const ref = z.string().meta({ description: 'A version number, an alias (champion, challenger, ...) or latest' });
const by = z.string().max(200).optional().meta({ description: 'Who makes the change, when the server has no authentication (or the X-Sluice-User header)' });
const comment = z.string().max(4000).nullish().meta({ description: 'Why, recorded in the history' });

const versionSchema = z.object({
  name: z.string(),
  version: z.number().int(),
  status: z.enum(MODEL_STATUSES),
  statusBy: z.string().nullable(),
  statusAt: z.string().nullable(),
  statusComment: z.string().nullable(),
  description: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  artifactPath: z.string(),
  artifactHash: z.string(),
  metrics: z.record(z.string(), z.number().nullable()),
  tags: z.record(z.string(), z.string()),
  lineage: z.record(z.string(), z.unknown()).meta({ description: 'The training batch, the fitted flow and the training run' }),
  aliases: z.array(z.string()),
});
const historySchema = z.object({
  id: z.number().int(),
  name: z.string(),
  version: z.number().int().nullable(),
  kind: z.enum(['registered', 'status', 'alias', 'alias_removed', 'rollback', 'deleted', 'tags', 'recovered']),
  alias: z.string().nullable(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  by: z.string(),
  at: z.string(),
  comment: z.string().nullable(),
});
const aliasesSchema = z.record(z.string(), z.number().int()).meta({ description: 'Alias -> version' });

const versionOk = (description: string): Record<number, ResponseDoc> => ({ 200: { description, json: versionSchema } });
const changeErrors = (more: RouteContract['errors'] = {}): RouteContract['errors'] => ({
  400: 'A bad body (MODEL_BAD_REQUEST, MODEL_BAD_NAME, MODEL_BAD_STATUS) or no one named as making the change (MODEL_WHO_MISSING)',
  404: 'No such model, version or alias (MODEL_NOT_FOUND)',
  413: 'The body is larger than 1 MB',
  ...more,
});
/** The registry's contract: its errors are `{ error }` and a bad body is MODEL_BAD_REQUEST. */
const registry = (c: Omit<RouteContract, 'errorShape' | 'invalidCode'>) => contract({ errorShape: 'wrapped', invalidCode: 'MODEL_BAD_REQUEST', ...c });

/**
 * The model registry over HTTP (JSON), the same operations as `sluice models`:
 *
 * | method | path | does |
 * |---|---|---|
 * | GET | /models | every model with its aliases and latest version |
 * | GET | /models/:name | its versions (newest first) and aliases |
 * | GET | /models/:name/versions/:ref | one version (number, alias or `latest`) with its history |
 * | GET | /models/:name/history | every recorded change |
 * | POST | /models/:name/versions/:ref/status | `{status, comment?}` approve or reject |
 * | POST | /models/:name/versions/:ref/tags | `{tags: {k: v or null}}` |
 * | POST | /models/:name/promote | `{version, alias = "champion", comment?, allowSchemaChange?}` |
 * | POST | /models/:name/rollback | `{comment?}` champion back to the previous one |
 * | DELETE | /models/:name/aliases/:alias | remove an alias |
 * | DELETE | /models/:name/versions/:ref | delete a version and its artifacts (not the champion) |
 *
 * Changes need a user (see {@link ModelsRoutesOptions.whoIs}); errors are
 * `{"error": {code, message, hint, location}}` with 400, 404 or 409.
 */
export async function modelsRoutes(app: FastifyInstance, opts: ModelsRoutesOptions): Promise<void> {
  const { registry: models, auth } = opts;
  const who = (req: FastifyRequest): string => {
    const body = req.body as Body;
    const header = req.headers['x-sluice-user'];
    const by = auth
      ? auth.userOf(req)?.name
      : opts.whoIs
        ? opts.whoIs(req)
        : (typeof header === 'string' && header) || (typeof body?.by === 'string' && body.by) || undefined;
    if (!by) {
      throw new SluiceError('MODEL_WHO_MISSING', 'a change to the registry needs to say who makes it', {
        hint: 'send the X-Sluice-User header or "by" in the JSON body',
        location: { field: 'by' },
      });
    }
    return by;
  };
  // The body was checked against the route's schema: a field is a string, null or absent.
  const optString = (body: Body, field: string): string | undefined => (body?.[field] as string | null | undefined) ?? undefined;

  app.setErrorHandler((err: FastifyError | SluiceError, _req, reply) => {
    const e = isSluiceError(err)
      ? err
      : typeof err.statusCode === 'number' && err.statusCode < 500
        ? new SluiceError('MODEL_BAD_REQUEST', err.message, { httpStatus: err.statusCode, hint: 'send a JSON body with Content-Type: application/json' })
        : new SluiceError('INTERNAL', 'the registry failed on this request', { httpStatus: 500 });
    return reply.code(e.httpStatus).send({ error: boundErrorBody(e.toJSON()) });
  });

  if (auth) {
    const read = auth.require('viewer');
    const change = auth.require('admin');
    app.addHook('preValidation', async function (req, reply) {
      const reading = req.method === 'GET' || req.method === 'HEAD';
      await (reading ? read : change).call(this, req, reply);
      if (reply.sent) return reply;
      if (!reading) auth.checkCsrf(req);
    });
  }
  const audit = (req: FastifyRequest, action: string, name: string, version: number | string | undefined, detail: string | undefined) =>
    auth?.audit({ actor: who(req), action, target: `model:${name}${version !== undefined ? `@${version}` : ''}`, detail: detail ?? null, ip: req.ip });

  app.get(
    '/models',
    registry({
      ok: {
        200: {
          description: 'Every model with its version count, latest version and aliases',
          json: z.object({
            models: z.array(z.object({ name: z.string(), versions: z.number().int(), latestVersion: z.number().int(), aliases: aliasesSchema })),
          }),
        },
      },
      errors: {},
    }),
    async () => ({ models: await models.list() }),
  );

  app.get<{ Params: Params }>(
    '/models/:name',
    registry({
      params: z.object({ name }),
      ok: {
        200: {
          description: "The model's versions, newest first, and its aliases",
          json: z.object({ name: z.string(), aliases: aliasesSchema, versions: z.array(versionSchema) }),
        },
      },
      errors: { 404: 'No such model (MODEL_NOT_FOUND)' },
    }),
    async (req) => ({
      name: req.params.name,
      aliases: await models.aliases(req.params.name),
      versions: await models.versions(req.params.name),
    }),
  );

  app.get<{ Params: Params }>(
    '/models/:name/versions/:ref',
    registry({
      params: z.object({ name, ref }),
      ok: { 200: { description: 'The version with its history', json: versionSchema.extend({ history: z.array(historySchema) }) } },
      errors: { 404: 'No such model or version (MODEL_NOT_FOUND)' },
    }),
    async (req) => {
      const v = await models.get(req.params.name, req.params.ref);
      return { ...v, history: await models.history(v.name, v.version) };
    },
  );

  app.get<{ Params: Params }>(
    '/models/:name/history',
    registry({
      params: z.object({ name }),
      ok: { 200: { description: 'Every recorded change, oldest first', json: z.object({ history: z.array(historySchema) }) } },
      errors: { 404: 'No such model (MODEL_NOT_FOUND)' },
    }),
    async (req) => {
      await models.versions(req.params.name); // 404 for an unknown model
      return { history: await models.history(req.params.name) };
    },
  );

  app.post<{ Params: Params; Body: Body }>(
    '/models/:name/versions/:ref/status',
    registry({
      params: z.object({ name, ref }),
      body: z.object({ status: z.enum(MODEL_STATUSES), comment, by }),
      invalidCodes: { status: 'MODEL_BAD_STATUS' },
      ok: versionOk('The version with its new status'),
      errors: changeErrors({ 409: 'The champion cannot be rejected (MODEL_CHAMPION_REJECT)' }),
    }),
    async (req) => {
      const status = checkStatus(req.body?.status);
      const v = await models.setStatus(req.params.name, req.params.ref, status, who(req), optString(req.body, 'comment'));
      await audit(req, 'model.status', v.name, v.version, [status, optString(req.body, 'comment')].filter(Boolean).join(': '));
      return v;
    },
  );

  app.post<{ Params: Params; Body: Body }>(
    '/models/:name/versions/:ref/tags',
    registry({
      params: z.object({ name, ref }),
      body: z.object({
        tags: z.record(z.string(), z.string().nullable()).meta({ description: 'Tag -> value; null removes the tag', examples: [{ team: 'care', old: null }] }),
        by,
      }),
      ok: versionOk('The version with its tags'),
      errors: changeErrors(),
    }),
    async (req) => {
      const tags = req.body?.tags;
      const v = await models.setTags(req.params.name, req.params.ref, tags as Record<string, string | null>, who(req));
      await audit(req, 'model.tags', v.name, v.version, JSON.stringify(tags));
      return v;
    },
  );

  app.post<{ Params: Params; Body: Body }>(
    '/models/:name/promote',
    registry({
      params: z.object({ name }),
      body: z.object({
        version: z.union([z.number().int(), z.string()]).meta({ description: 'The version to point the alias at: a number or an alias' }),
        alias: z.string().optional().meta({ description: 'The alias to move (default champion)' }),
        allowSchemaChange: z.boolean().optional().meta({ description: "Promote a version whose input columns differ from the champion's" }),
        comment,
        by,
      }),
      ok: versionOk('The version the alias now points at'),
      errors: changeErrors({
        409: "The version is not approved, so it cannot be champion, or its input columns differ from the champion's without allowSchemaChange",
      }),
    }),
    async (req) => {
      const version = req.body!.version as number | string;
      const alias = checkName('alias', optString(req.body, 'alias') ?? CHAMPION);
      if (opts.artifacts) await fetchForPromotion(models, opts.artifacts, req.params.name, version, alias);
      const v = await models.promote(req.params.name, version, alias, who(req), optString(req.body, 'comment'), {
        allowSchemaChange: req.body?.allowSchemaChange === true,
      });
      await audit(req, 'model.promote', v.name, v.version, [`alias ${alias}`, optString(req.body, 'comment')].filter(Boolean).join(': '));
      return v;
    },
  );

  app.post<{ Params: Params; Body: Body }>(
    '/models/:name/rollback',
    registry({
      params: z.object({ name }),
      body: z.object({ comment, by }),
      bodyOptional: true,
      ok: versionOk('The version that is champion again'),
      errors: changeErrors({ 409: 'There is no previous champion to go back to' }),
    }),
    async (req) => {
      if (opts.artifacts) await fetchForRollback(models, opts.artifacts, req.params.name);
      const v = await models.rollback(req.params.name, who(req), optString(req.body, 'comment'));
      await audit(req, 'model.rollback', v.name, v.version, optString(req.body, 'comment'));
      return v;
    },
  );

  app.delete<{ Params: Params; Body: Body }>(
    '/models/:name/aliases/:alias',
    registry({
      params: z.object({ name, alias: z.string().meta({ description: 'The alias to remove' }) }),
      body: z.object({ comment, by }),
      bodyOptional: true,
      ok: { 204: { description: 'Removed' } },
      errors: changeErrors(),
    }),
    async (req, reply) => {
      await models.removeAlias(req.params.name, req.params.alias, who(req), optString(req.body, 'comment'));
      await audit(
        req,
        'model.alias.remove',
        req.params.name,
        undefined,
        [`alias ${req.params.alias}`, optString(req.body, 'comment')].filter(Boolean).join(': '),
      );
      return reply.code(204).send();
    },
  );

  app.delete<{ Params: Params; Body: Body }>(
    '/models/:name/versions/:ref',
    registry({
      params: z.object({ name, ref }),
      body: z.object({ comment, by }),
      bodyOptional: true,
      ok: { 204: { description: 'Deleted, with its artifacts' } },
      errors: changeErrors({ 409: 'The champion cannot be deleted (MODEL_CHAMPION_DELETE)' }),
    }),
    async (req, reply) => {
      const version = (await models.get(req.params.name, req.params.ref)).version;
      await models.delete(req.params.name, req.params.ref, who(req), optString(req.body, 'comment'));
      await audit(req, 'model.delete', req.params.name, version, optString(req.body, 'comment'));
      return reply.code(204).send();
    },
  );
}
