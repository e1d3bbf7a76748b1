import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { SluiceError, isSluiceError } from '../../core/errors.js';
import type { ModelRegistry } from '../../models/ModelRegistry.js';
import { CHAMPION, checkName, checkStatus } from '../../models/types.js';
import type { AuthGate } from '../auth/AuthGate.js';
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
}

type Params = { name: string; ref: string; alias: string };
type Body = Record<string, unknown> | undefined;

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
  const { registry, auth } = opts;
  const who = (req: FastifyRequest): string => {
    const body = req.body as Body;
    const header = req.headers['x-sluice-user'];
    const by = auth
      ? auth.userOf(req)?.name
      : opts.whoIs ? opts.whoIs(req) : (typeof header === 'string' && header) || (typeof body?.by === 'string' && body.by) || undefined;
    if (!by) {
      throw new SluiceError('MODEL_WHO_MISSING', 'a change to the registry needs to say who makes it', {
        hint: 'send the X-Sluice-User header or "by" in the JSON body',
        location: { field: 'by' },
      });
    }
    return by;
  };
  const optString = (body: Body, field: string): string | undefined => {
    const v = body?.[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw new SluiceError('MODEL_BAD_REQUEST', `"${field}" must be a string`, { location: { field } });
    return v;
  };

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

  app.get('/models', async () => ({ models: registry.list() }));

  app.get<{ Params: Params }>('/models/:name', async (req) => ({
    name: req.params.name,
    aliases: registry.aliases(req.params.name),
    versions: registry.versions(req.params.name),
  }));

  app.get<{ Params: Params }>('/models/:name/versions/:ref', async (req) => {
    const v = registry.get(req.params.name, req.params.ref);
    return { ...v, history: registry.history(v.name, v.version) };
  });

  app.get<{ Params: Params }>('/models/:name/history', async (req) => {
    registry.versions(req.params.name); // 404 for an unknown model
    return { history: registry.history(req.params.name) };
  });

  app.post<{ Params: Params; Body: Body }>('/models/:name/versions/:ref/status', async (req) => {
    const status = checkStatus(req.body?.status);
    const v = registry.setStatus(req.params.name, req.params.ref, status, who(req), optString(req.body, 'comment'));
    audit(req, 'model.status', v.name, v.version, [status, optString(req.body, 'comment')].filter(Boolean).join(': '));
    return v;
  });

  app.post<{ Params: Params; Body: Body }>('/models/:name/versions/:ref/tags', async (req) => {
    const tags = req.body?.tags;
    if (tags === null || typeof tags !== 'object' || Array.isArray(tags) || !Object.values(tags).every((v) => v === null || typeof v === 'string')) {
      throw new SluiceError('MODEL_BAD_REQUEST', '"tags" must be an object of strings (null removes a tag)', { location: { field: 'tags' }, hint: '{"tags": {"team": "care", "old": null}}' });
    }
    const v = registry.setTags(req.params.name, req.params.ref, tags as Record<string, string | null>, who(req));
    audit(req, 'model.tags', v.name, v.version, JSON.stringify(tags));
    return v;
  });

  app.post<{ Params: Params; Body: Body }>('/models/:name/promote', async (req) => {
    const version = req.body?.version;
    if (typeof version !== 'number' && typeof version !== 'string') {
      throw new SluiceError('MODEL_BAD_REQUEST', '"version" is required (a number or an alias)', { location: { field: 'version' }, hint: '{"version": 3, "alias": "champion"}' });
    }
    const alias = checkName('alias', optString(req.body, 'alias') ?? CHAMPION);
    const allowSchemaChange = req.body?.allowSchemaChange;
    if (allowSchemaChange !== undefined && typeof allowSchemaChange !== 'boolean') throw new SluiceError('MODEL_BAD_REQUEST', '"allowSchemaChange" must be true or false', { location: { field: 'allowSchemaChange' } });
    const v = registry.promote(req.params.name, version, alias, who(req), optString(req.body, 'comment'), { allowSchemaChange: allowSchemaChange === true });
    audit(req, 'model.promote', v.name, v.version, [`alias ${alias}`, optString(req.body, 'comment')].filter(Boolean).join(': '));
    return v;
  });

  app.post<{ Params: Params; Body: Body }>('/models/:name/rollback', async (req) => {
    const v = registry.rollback(req.params.name, who(req), optString(req.body, 'comment'));
    audit(req, 'model.rollback', v.name, v.version, optString(req.body, 'comment'));
    return v;
  });

  app.delete<{ Params: Params; Body: Body }>('/models/:name/aliases/:alias', async (req, reply) => {
    registry.removeAlias(req.params.name, req.params.alias, who(req), optString(req.body, 'comment'));
    audit(req, 'model.alias.remove', req.params.name, undefined, [`alias ${req.params.alias}`, optString(req.body, 'comment')].filter(Boolean).join(': '));
    return reply.code(204).send();
  });

  app.delete<{ Params: Params; Body: Body }>('/models/:name/versions/:ref', async (req, reply) => {
    const version = registry.get(req.params.name, req.params.ref).version;
    await registry.delete(req.params.name, req.params.ref, who(req), optString(req.body, 'comment'));
    audit(req, 'model.delete', req.params.name, version, optString(req.body, 'comment'));
    return reply.code(204).send();
  });
}
