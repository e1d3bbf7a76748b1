import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SluiceError, isSluiceError } from '../../core/errors.js';
import { quoteValue } from '../../core/quoteValue.js';
import { boundErrorBody } from '../boundErrorBody.js';
import type { InvocationGuard } from '../endpoint/invocationGuard.js';
import type { ModelHost } from '../endpoint/ModelHost.js';
import { parseInvocation } from '../endpoint/parseInvocation.js';
import type { PredictionLog } from '../endpoint/PredictionLog.js';
import { chooseOutput, renderPredictions, type OutputKey } from '../endpoint/predictionOutput.js';
import { sluiceVersion } from '../../training/sluiceVersion.js';
import { z } from 'zod';
import { invocationAnswer, invocationAnswers, invocationBodies, pingAnswer } from '../endpoint/invocationShapes.js';
import { contract, type RouteContract } from '../openapi/routeContract.js';
import { isRecordError, type Prediction, type PredictionResult, type Predictor, type RecordError } from '../endpoint/Predictor.js';
import { warningsOf, type RecordWarning } from '../endpoint/recordWarnings.js';
import type { ServingMetrics } from '../endpoint/ServingMetrics.js';

export interface InvocationsRoutesOptions {
  host: ModelHost;
  metrics?: ServingMetrics;
  predictionLog?: PredictionLog;
  /** Largest accepted request body in bytes; larger gets 413. Default 6 MB (SageMaker's limit). */
  bodyLimit?: number;
  /** Most records in one request; more gets 413. Default 100,000. */
  maxRecords?: number;
  /**
   * Answers `{"record_ids": [...]}`: the transformed features of each id from the online store
   * (null where there is none), in the order asked. Without it such requests get 400.
   */
  featureLookup?: (ids: string[]) => Promise<Array<Record<string, unknown> | null>>;
  /** Autopilot keys answered when the request does not choose (`SAGEMAKER_INFERENCE_OUTPUT`); see predictionOutput.ts. */
  outputKeys?: OutputKey[];
  /** Token auth and rate limit of `POST /invocations` (sluice.yaml `endpoint:`; see invocationGuard.ts). */
  guard?: InvocationGuard;
}

/** Request bodies the endpoint reads: CSV, JSON, and JSON Lines under the names clients use for it. */
export const INVOCATION_CONTENT_TYPES = [
  'application/json',
  'text/csv',
  'application/jsonlines',
  'application/jsonl',
  'application/x-jsonlines',
  'application/json-lines',
];

export const MODEL_HEADER = 'x-sluice-model';
export const VERSION_HEADER = 'x-sluice-model-version';
/** Present when the request's predictions were logged: the id of that log entry. */
export const PREDICTION_ID_HEADER = 'x-sluice-prediction-id';

/** What the metrics hook needs to know about a finished request. */
interface RequestInfo {
  model: string;
  version: string;
  records: number;
  errorCode?: string;
}

/**
 * The real-time endpoint, as a Fastify plugin (encapsulated: its body parsers and error handler
 * apply only to its own routes).
 *
 * - `POST /invocations`: records as `text/csv`, `application/json` (MLflow and TF Serving shapes) or
 *   `application/jsonlines` (see {@link parseInvocation}) -> by `Accept` (q-values; 406 when none can
 *   be produced): JSON `{"predictions": [{"predicted_label", "probabilities", "labels"}], "model",
 *   "model_version"}`, CSV without header or JSON Lines with Autopilot's keys (see predictionOutput.ts),
 *   a prediction carrying `warnings` when a value of its record was read as missing, and a
 *   record that cannot be scored carrying `{"error": {...}}` in its place (400 when none can),
 *   with headers `X-Sluice-Model` and `X-Sluice-Model-Version`. The version in the headers and in
 *   the body always come from the one predictor that computed the response.
 * - `GET /ping` and `GET /health` (MLflow's name): 200 while a model is loaded, 503 otherwise (a
 *   load balancer's health check); `GET /version`: the Sluice version, as MLflow's server answers.
 *
 * Every error is a JSON body `{"error": {code, message, location: {record, field}, hint, details}}`
 * with its status (400 input, 413 too large, 415 content type, 503 no model, 500 a predictor bug);
 * nothing a client sends can crash the server.
 *
 * @example
 * await app.register(invocationsRoutes, { host, metrics, bodyLimit: 6 * 1024 * 1024 });
 */
export async function invocationsRoutes(app: FastifyInstance, opts: InvocationsRoutesOptions): Promise<void> {
  const { host, metrics, predictionLog } = opts;
  const bodyLimit = opts.bodyLimit ?? 6 * 1024 * 1024;
  const maxRecords = opts.maxRecords ?? 100_000;
  const info = new WeakMap<FastifyRequest, RequestInfo>();

  // Raw text in, parsed by us: malformed JSON and CSV get the same located 400 as any other
  // input error, instead of the framework's generic one.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(INVOCATION_CONTENT_TYPES, { parseAs: 'string', bodyLimit }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: FastifyError | SluiceError, req, reply) => {
    const e = toEndpointError(err, bodyLimit, req.headers['content-type']);
    const i = info.get(req);
    if (i) i.errorCode = e.code;
    // Refused before the handler ran (413, 415): count it under the model that would have served.
    else info.set(req, { model: host.current?.name ?? '', version: host.current?.version ?? '', records: 0, errorCode: e.code });
    if (e.httpStatus >= 500) req.log.error({ err }, 'invocation failed');
    return reply
      .code(e.httpStatus)
      .type('application/json')
      .send({ error: boundErrorBody(e.toJSON()) });
  });

  if (metrics) {
    metrics.setLoaded(host.current?.name, host.current?.version);
    host.onSwap((p) => metrics.setLoaded(p?.name, p?.version));
  }
  // A route-level hook: it runs for every request matched to /invocations (under any prefix the
  // server mounts the plugin at), including those refused while reading the body (413, 415).
  const observe = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const i = info.get(req) ?? { model: '', version: '', records: 0, errorCode: reply.statusCode >= 400 ? `HTTP_${reply.statusCode}` : undefined };
    metrics?.observe(i.model, i.version, reply.statusCode, reply.elapsedTime / 1000, i.records, i.errorCode);
  };

  const ping = async (_req: FastifyRequest, reply: FastifyReply) => {
    const p = host.current;
    // The champion cannot be loaded: say which, and why, whether an earlier champion serves or none does.
    const fallback = host.fallback ? { fallback: { champion_version: host.fallback.champion, reason: host.fallback.reason } } : {};
    if (!p) return reply.code(503).send({ status: 'no model loaded', ...fallback });
    // The input columns, in the order a headerless CSV row or an array instance gives them.
    return reply
      .header(MODEL_HEADER, p.name)
      .header(VERSION_HEADER, p.version)
      .send({
        status: host.fallback ? 'fallback' : 'ok',
        model: p.name,
        model_version: p.version,
        labels: p.labels,
        inputs: p.inputs.map((c) => ({ name: c.name, type: c.type })),
        ...fallback,
      });
  };
  const modelHeaders = { [MODEL_HEADER]: 'The model that answered', [VERSION_HEADER]: 'Its version' };
  const health: RouteContract = {
    ok: {
      200: { description: 'A model is loaded: which, its labels and its inputs', json: pingAnswer, headers: modelHeaders },
      503: { description: 'No model is loaded (a load balancer takes the instance out)', json: z.object({ status: z.literal('no model loaded') }) },
    },
    errors: {},
  };
  app.get('/ping', contract(health), ping);
  // MLflow's scoring server: GET /health (as /ping) and GET /version (the server's version, as text).
  app.get('/health', contract(health), ping);
  app.get(
    '/version',
    contract({ ok: { 200: { description: 'The Sluice version', content: { 'text/plain': z.string().meta({ examples: ['0.1.0'] }) } } }, errors: {} }),
    async (_req, reply) => reply.type('text/plain; charset=utf-8').send(sluiceVersion()),
  );

  app.post(
    '/invocations',
    {
      bodyLimit,
      ...(opts.guard ? { onRequest: opts.guard } : {}),
      ...(metrics ? { onResponse: observe } : {}),
      ...contract({
        bodyDoc: invocationBodies,
        errorShape: 'wrapped',
        ok: {
          200: {
            description:
              'One prediction per record, as Accept asks: JSON (default), CSV without header, or JSON Lines; the keys are chosen by SAGEMAKER_INFERENCE_OUTPUT or per request with the Accept `output` parameter (`text/csv; output="predicted_label,probability"`)',
            json: invocationAnswer,
            content: invocationAnswers,
            headers: { ...modelHeaders, [PREDICTION_ID_HEADER]: 'The id of the prediction log entry, when the request was sampled' },
          },
        },
        errors: {
          400: 'No record can be scored: a malformed body, a missing column, an unparseable value... every bad record listed in details.errors (INVOCATION_*)',
          401: 'With endpoint.auth: no or a wrong endpoint token',
          404: 'A record id has no features in the online store (INVOCATION_UNKNOWN_RECORD_ID)',
          406: 'Accept names no type the endpoint can produce (INVOCATION_NOT_ACCEPTABLE)',
          413: "The body is larger than the endpoint's limit (6 MB by default) or holds too many records",
          415: 'A Content-Type the endpoint does not read, named in the message (INVOCATION_UNSUPPORTED_TYPE)',
          429: 'With endpoint.rateLimit: too many requests (Retry-After says when to retry)',
          503: 'No model is loaded (ENDPOINT_NO_MODEL); retry later',
        },
      }),
    },
    async (req, reply) => {
      // What the client can read is settled first: a 406 costs no prediction.
      const output = chooseOutput(req.headers.accept, opts.outputKeys);
      const lease = host.acquire();
      if (!lease) {
        throw new SluiceError('ENDPOINT_NO_MODEL', 'no model is loaded', {
          httpStatus: 503,
          retryable: true,
          hint: 'promote an approved version to champion: sluice models promote <name> <version>',
        });
      }
      try {
        const p = lease.predictor;
        const i: RequestInfo = { model: p.name, version: p.version, records: 0 };
        info.set(req, i);
        reply.header(MODEL_HEADER, p.name).header(VERSION_HEADER, p.version);
        const body = typeof req.body === 'string' ? req.body : '';
        const parsed = parseInvocation(req.headers['content-type'], body, p.inputs, maxRecords, p.missing);
        let records = parsed.records;
        let results: PredictionResult[];
        if (parsed.ids) {
          ({ records, results } = await byRecordId(parsed.ids, p, opts.featureLookup));
        } else {
          results = await p.predict(records);
        }
        if (!Array.isArray(results) || results.length !== records.length) {
          throw new SluiceError(
            'PREDICTOR_BAD_OUTPUT',
            `model ${p.name} version ${p.version} returned ${Array.isArray(results) ? results.length : 'no'} results for ${records.length} records`,
            { httpStatus: 500 },
          );
        }
        const failed: RecordError[] = [];
        for (let r = 0; r < results.length; r++) {
          const res = results[r]!;
          if (isRecordError(res)) failed.push({ ...res.error, record: r });
        }
        // A record that cannot be scored gets a row-level error; the others are scored. Only a
        // request none of whose records can be scored is refused as a whole.
        if (failed.length === results.length) throw recordErrors(failed);
        let predictions: Array<Prediction | { error: RecordError }>;
        let logged: string | undefined;
        if (failed.length === 0) {
          // Every record scored (the usual case): the results are the answer, copied only where a
          // record carries warnings.
          let warned: Array<Prediction | { error: RecordError }> | undefined;
          for (let r = 0; r < results.length; r++) {
            const warnings = warningsOf(records[r]);
            if (!warnings) continue;
            const withWarnings: Prediction & { warnings: RecordWarning[] } = { ...(results[r] as Prediction), warnings };
            (warned ??= results.slice())[r] = withWarnings;
          }
          predictions = warned ?? results;
          i.records = results.length;
          logged = predictionLog?.maybeLog(p.name, p.version, records, results as Prediction[]);
        } else {
          predictions = results.map((res, r) => {
            if (isRecordError(res)) return { error: { ...res.error, record: r } };
            const warnings = warningsOf(records[r]);
            return warnings ? { ...res, warnings } : res;
          });
          const scoredAt = results.flatMap((res, r) => (isRecordError(res) ? [] : [r]));
          i.records = scoredAt.length;
          logged = predictionLog?.maybeLog(
            p.name,
            p.version,
            scoredAt.map((r) => records[r]!),
            scoredAt.map((r) => results[r] as Prediction),
          );
        }
        // The id to report the outcome with later (PredictionLog.recordActual).
        if (logged) reply.header(PREDICTION_ID_HEADER, logged);
        const out = renderPredictions(output, predictions, p.name, p.version);
        return reply.type(out.contentType).send(out.body);
      } finally {
        lease.release();
      }
    },
  );
}

/** Looks the ids up in the online store and scores their stored features. */
async function byRecordId(
  ids: string[],
  p: Predictor,
  lookup: InvocationsRoutesOptions['featureLookup'],
): Promise<{ records: Record<string, unknown>[]; results: PredictionResult[] }> {
  if (!lookup || !p.predictFeatures) {
    throw new SluiceError('INVOCATION_LOOKUP_UNAVAILABLE', 'this endpoint does not look features up by record id', {
      hint: 'send the records themselves, or configure the online store for the endpoint',
      location: { field: 'record_ids' },
    });
  }
  const rows = await lookup(ids);
  const unknown: RecordError[] = [];
  rows.forEach((r, i) => {
    if (r === null || r === undefined) {
      unknown.push({
        record: i,
        field: 'record_ids',
        code: 'INVOCATION_UNKNOWN_RECORD_ID',
        message: `no features for record id ${quoteValue(ids[i])} in the online store`,
        hint: 'check the id, or send the record itself',
      });
    }
  });
  if (unknown.length > 0) {
    const e = recordErrors(unknown);
    throw new SluiceError(e.code, e.message, { httpStatus: 404, location: e.location, hint: e.hint, details: e.details });
  }
  const records = rows as Record<string, unknown>[];
  return { records, results: await p.predictFeatures(records) };
}

/** A 400 for records the predictor refused (after the flow: an unseen category, ...). */
function recordErrors(failed: RecordError[]): SluiceError {
  const first = failed[0]!;
  const more = failed.length > 1 ? ` (and ${failed.length - 1} more)` : '';
  return new SluiceError(first.code, `record ${first.record}: ${first.message}${more}`, {
    location: { record: first.record, ...(first.field !== undefined ? { field: first.field } : {}) },
    ...(first.hint !== undefined ? { hint: first.hint } : {}),
    details: { errors: failed.slice(0, 100), total: failed.length },
  });
}

/** Maps whatever was thrown to the endpoint's error shape, without leaking internals. */
function toEndpointError(err: unknown, bodyLimit: number, contentType: string | undefined): SluiceError {
  if (isSluiceError(err)) return err;
  const e = err as FastifyError;
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new SluiceError('INVOCATION_TOO_LARGE', `the request body is larger than the limit of ${bodyLimit} bytes`, {
        httpStatus: 413,
        hint: 'send fewer records per request, or raise the endpoint body limit',
      });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return new SluiceError(
        'INVOCATION_UNSUPPORTED_TYPE',
        contentType ? `unsupported Content-Type ${quoteValue(contentType)}` : 'the request has no Content-Type',
        {
          httpStatus: 415,
          hint: 'send Content-Type: text/csv, application/json or application/jsonlines',
        },
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new SluiceError('INVOCATION_EMPTY_BODY', 'the request body is empty', { hint: 'send records as text/csv or application/json' });
    default: {
      const status = typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500 ? e.statusCode : 500;
      return status < 500
        ? new SluiceError('INVOCATION_BAD_REQUEST', e.message, { httpStatus: status })
        : new SluiceError('INTERNAL', 'the model failed on this request', {
            httpStatus: 500,
            hint: 'this is a bug in the model or in Sluice; the server logs have the details',
          });
    }
  }
}
