import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { consoleRoute, csrfField, formText, pageOk, pageRoute, redirectOk } from './consoleRoute.js';
import { formFields } from '../openapi/routeContract.js';
import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SluiceError, toSluiceError } from '../../core/errors.js';
import { quoteIdent } from '../../engine/sql.js';
import type { ModelRegistry } from '../../models/ModelRegistry.js';
import type { ModelVersion } from '../../models/types.js';
import type { ProjectRuntime } from '../../pipeline/project/ProjectRuntime.js';
import { field, type ConsoleScope } from './ConsoleScope.js';
import { qs } from './format.js';
import { fetchForPromotion, fetchForRollback } from '../../models/fetchForAliasChange.js';
import { modelReportFiles } from './modelReportFiles.js';
import { featureGroupPage } from './pages/featureGroupPage.js';
import { featuresPage } from './pages/featuresPage.js';
import { modelPage, rankingMetric, type Candidate, type ModelPageData } from './pages/modelPage.js';
import { modelsPage } from './pages/modelsPage.js';
import { sendEmbeddable, sendHtml } from './sendHtml.js';

const SAMPLE_ROWS = 10;

function modelSubject(name: string): string {
  return `model:${name}`;
}

/** Feature groups (schema, sample, look-up) and models (leaderboard, history, promote, roll back). */
const modelParams = z.object({ name: z.string().meta({ description: 'The model' }) });
const changeErrors = { 403: 'Not an admin, or no valid CSRF token', 404: 'No such model (MODEL_NOT_FOUND)', 413: 'The form is larger than 200 kB' };

export function catalogRoutes(app: FastifyInstance, s: ConsoleScope): void {
  const { auth, features } = s.opts;
  const b = s.base;

  pageRoute(app, s, '/features', { errors: {} }, async (req, reply) =>
    sendHtml(reply, 200, featuresPage(s.frame(req, reply), features ? await features.listGroups() : undefined)),
  );

  pageRoute(
    app,
    s,
    '/features/:group',
    {
      params: z.object({ group: z.string().meta({ description: 'The feature group' }) }),
      query: z.object({ id: formText('A record id to look up in the online store') }),
      errors: { 404: 'No such feature group, or no feature store in this server' },
    },
    async (req, reply) => {
      if (!features) throw new SluiceError('NOT_FOUND', 'the feature store is not available in this server', { httpStatus: 404 });
      const group = await features.describeGroup((req.params as { group: string }).group);
      let sample: Array<Record<string, unknown>> = [];
      let sampleError: string | undefined;
      if (group.offline.batches > 0) {
        try {
          sample = await features.query(`SELECT * FROM ${quoteIdent(`${group.name}_latest`)} LIMIT ${SAMPLE_ROWS}`);
        } catch (e) {
          sampleError = `The sample could not be read: ${toSluiceError(e).message}`;
        }
      }
      const id = qs(req.query, 'id')?.slice(0, 500);
      const lookup = id !== undefined ? { id, record: await features.getRecord(group.name, id) } : undefined;
      return sendHtml(reply, 200, featureGroupPage(s.frame(req, reply), { group, sample, sampleError, lookup }));
    },
  );

  pageRoute(app, s, '/models', { errors: {} }, async (req, reply) => sendHtml(reply, 200, modelsPage(s.frame(req, reply), await s.opts.registry?.list())));

  const registry = (): ModelRegistry => {
    if (!s.opts.registry) throw new SluiceError('NOT_FOUND', 'the model registry is not available in this server', { httpStatus: 404 });
    return s.opts.registry;
  };

  const renderModel = async (req: FastifyRequest, reply: FastifyReply, name: string, status: number, message?: ModelPageData['message']) => {
    const reg = registry();
    const versions = await reg.versions(name);
    const user = s.user(req);
    const reports = await Promise.all(versions.map((v) => modelReportFiles(s.opts.runtime, v)));
    const withReport = new Set(versions.filter((_, i) => reports[i]!.html).map((v) => v.version));
    const data: ModelPageData = {
      name,
      versions,
      history: await reg.history(name),
      ...rankingMetric(versions),
      withReport,
      message,
      candidates: await candidatesOf(s.opts.runtime, versions.find((v) => v.aliases.includes('champion')) ?? versions[0]),
      adminCsrf: user.role === 'admin' ? auth.csrfToken(req, reply, modelSubject(name)) : undefined,
    };
    return sendHtml(reply, status, modelPage(s.frame(req, reply), data));
  };

  pageRoute(
    app,
    s,
    '/models/:name',
    {
      params: modelParams,
      query: z.object({ done: formText('The notice after a promotion or rollback') }),
      errors: { 404: 'No such model (MODEL_NOT_FOUND)' },
    },
    async (req, reply) => {
      const done = qs(req.query, 'done');
      const name = (req.params as { name: string }).name;
      return renderModel(
        req,
        reply,
        name,
        200,
        done ? { kind: 'done', text: done === 'rollback' ? 'Rolled back: the champion is the previous one again.' : `Promoted: ${done}.` } : undefined,
      );
    },
  );

  app.get(
    `${b}/models/:name/versions/:version/report`,
    consoleRoute(s, 'viewer', {
      params: modelParams.extend({ version: z.string().meta({ description: 'A version number or an alias' }) }),
      ok: pageOk("The model report of the version (for the console's sandboxed frame)"),
      errors: { 404: 'No such model or version, or it has no model report' },
    }),
    async (req, reply) => {
      const { name, version } = req.params as { name: string; version: string };
      const v = await registry().get(name, version);
      const file = (await modelReportFiles(s.opts.runtime, v)).html;
      const body = await (file ? readFile(file) : Promise.reject(new Error('none'))).catch(() => {
        throw new SluiceError('NOT_FOUND', `${name} version ${v.version} has no model report`, {
          httpStatus: 404,
          hint: 'the train step writes the model report; versions registered by hand have none',
        });
      });
      return sendEmbeddable(reply, body);
    },
  );

  /** Runs an admin change; a refusal re-renders the model page with the reason. */
  const change = async (
    req: FastifyRequest,
    reply: FastifyReply,
    fn: (name: string, by: string) => Promise<{ done: string; audit: { action: string; target: string; detail: string | null } }>,
  ) => {
    const name = (req.params as { name: string }).name;
    auth.checkCsrf(req, modelSubject(name));
    const user = s.user(req);
    await registry().versions(name); // 404 for an unknown model before anything else
    try {
      const r = await fn(name, user.name);
      await auth.audit({ actor: user.name, ...r.audit, ip: req.ip });
      return reply.redirect(`${b}/models/${encodeURIComponent(name)}?done=${encodeURIComponent(r.done)}`, 303);
    } catch (e) {
      const err = toSluiceError(e);
      return renderModel(req, reply, name, Math.min(err.httpStatus, 500), {
        kind: 'refused',
        text: `Nothing changed: ${err.message}`,
        hint: err.hint,
      });
    }
  };

  app.post(
    `${b}/models/:name/promote`,
    consoleRoute(s, 'admin', {
      params: modelParams,
      body: formFields(
        z.object({
          csrf: csrfField,
          version: formText('The version to promote (a number)'),
          alias: formText('The alias to move (default champion)'),
          comment: formText('Why, recorded in the history'),
        }),
      ),
      ok: redirectOk('Promoted: back to the model page, with a notice'),
      errors: {
        ...changeErrors,
        400: 'No version chosen (MODEL_BAD_VERSION) or a bad alias: the page again, saying so',
        409: 'The version is not approved: the page again, saying so',
      },
    }),
    async (req, reply) =>
      change(req, reply, async (name, by) => {
        const version = Number(field(req.body, 'version'));
        if (!Number.isInteger(version) || version < 1)
          throw new SluiceError('MODEL_BAD_VERSION', 'choose a version to promote', { httpStatus: 400, hint: 'pick one of the approved versions' });
        const alias = (field(req.body, 'alias') ?? 'champion').trim() || 'champion';
        const comment = field(req.body, 'comment')?.trim().slice(0, 2000) || undefined;
        const allowSchemaChange = field(req.body, 'allowSchemaChange') === 'on';
        await fetchForPromotion(registry(), s.opts.runtime.stores.artifacts, name, version, alias);
        const v = await registry().promote(name, version, alias, by, comment, { allowSchemaChange });
        return {
          done: `version ${v.version} is ${alias}`,
          audit: { action: 'model.promote', target: `model:${name}@${v.version}`, detail: `${alias}${comment ? `: ${comment}` : ''}` },
        };
      }),
  );

  app.post(
    `${b}/models/:name/rollback`,
    consoleRoute(s, 'admin', {
      params: modelParams,
      body: formFields(z.object({ csrf: csrfField, comment: formText('Why, recorded in the history') })),
      ok: redirectOk('Rolled back: back to the model page, with a notice'),
      errors: { ...changeErrors, 409: 'There is no previous champion: the page again, saying so' },
    }),
    async (req, reply) =>
      change(req, reply, async (name, by) => {
        const comment = field(req.body, 'comment')?.trim().slice(0, 2000) || undefined;
        await fetchForRollback(registry(), s.opts.runtime.stores.artifacts, name);
        const v = await registry().rollback(name, by, comment);
        return { done: 'rollback', audit: { action: 'model.rollback', target: `model:${name}@${v.version}`, detail: comment ?? null } };
      }),
  );
}

/** The AutoML leaderboard of a version's model report (model-report.json beside the model), if any. */
async function candidatesOf(runtime: ProjectRuntime, v: ModelVersion | undefined): Promise<ModelPageData['candidates']> {
  if (!v) return undefined;
  const file = (await modelReportFiles(runtime, v)).json;
  if (!file) return undefined;
  try {
    const r = JSON.parse(readFileSync(file, 'utf8')) as { leaderboard?: Candidate[]; metric?: string; skippedColumns?: unknown; droppedFeatures?: unknown };
    if (!Array.isArray(r.leaderboard)) return undefined;
    const listed = (x: unknown): Array<{ name: string; reason: string }> =>
      Array.isArray(x) ? x.map((d) => ({ name: String((d as { name?: unknown }).name), reason: String((d as { reason?: unknown }).reason) })) : [];
    return {
      version: v.version,
      metric: typeof r.metric === 'string' ? r.metric : undefined,
      notUsed: [...listed(r.droppedFeatures), ...listed(r.skippedColumns)],
      rows: r.leaderboard.map((c) => ({
        id: String(c.id),
        learner: String(c.learner),
        status: String(c.status),
        best: c.best === true,
        cvMean: typeof c.cvMean === 'number' ? c.cvMean : null,
        holdout: typeof c.holdout === 'number' ? c.holdout : null,
      })),
    };
  } catch {
    return undefined;
  }
}
