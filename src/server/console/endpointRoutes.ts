import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { consoleRoute, csrfField, formText, pageOk, pageRoute } from './consoleRoute.js';
import { formFields } from '../openapi/routeContract.js';
import { SluiceError, toSluiceError } from '../../core/errors.js';
import { parseInvocation } from '../endpoint/parseInvocation.js';
import { isRecordError, type Prediction } from '../endpoint/Predictor.js';
import { field, type ConsoleScope } from './ConsoleScope.js';
import { endpointPage, type EndpointPageData } from './pages/endpointPage.js';
import { sendHtml } from './sendHtml.js';

const MAX_RECORDS = 100;
const SUBJECT = 'endpoint';

/** The Endpoint page and its try-a-prediction form (same predictor and parser as POST /invocations). */
export function endpointRoutes(app: FastifyInstance, s: ConsoleScope): void {
  const { auth, endpoint, registry } = s.opts;
  const b = s.base;

  const render = async (req: FastifyRequest, reply: FastifyReply, status: number, extra: Partial<EndpointPageData>) => {
    const p = endpoint?.host.current;
    let championVersion: number | undefined;
    try {
      championVersion = endpoint && registry ? (await registry.champion(endpoint.model))?.version : undefined;
    } catch {
      championVersion = undefined;
    }
    const data: EndpointPageData = {
      model: endpoint?.model,
      loaded: p ? { name: p.name, version: p.version, labels: p.labels, inputs: p.inputs } : undefined,
      championVersion,
      csrf: auth.csrfToken(req, reply, SUBJECT),
      format: 'csv',
      body: p ? `${p.inputs.map((c) => c.name).join(',')}\n` : '',
      ...extra,
    };
    return sendHtml(reply, status, endpointPage(s.frame(req, reply), data));
  };

  pageRoute(app, s, '/endpoint', { errors: {} }, async (req, reply) => render(req, reply, 200, {}));

  app.post(
    `${b}/endpoint/predict`,
    consoleRoute(s, 'viewer', {
      body: formFields(
        z.object({
          csrf: csrfField,
          format: z.enum(['csv', 'json']).optional().meta({ description: 'How the records are written (default csv)' }),
          records: formText('The records, as POST /invocations reads them (at most 100)'),
        }),
      ),
      ok: pageOk('The endpoint page with the predictions'),
      errors: {
        400: 'Records that cannot be scored: the page again, with the error',
        403: 'No valid CSRF token',
        413: 'The form is larger than 200 kB',
        503: 'No model is loaded: the page again, saying so',
      },
    }),
    async (req, reply) => {
      auth.checkCsrf(req, SUBJECT);
      const format = field(req.body, 'format') === 'json' ? 'json' : 'csv';
      const body = (field(req.body, 'records') ?? '').slice(0, 100_000);
      const lease = endpoint?.host.acquire();
      try {
        if (!lease) throw new SluiceError('ENDPOINT_NO_MODEL', 'no model is loaded', { httpStatus: 503, hint: 'promote an approved version to champion' });
        const p = lease.predictor;
        const parsed = parseInvocation(format === 'csv' ? 'text/csv' : 'application/json', body, p.inputs, MAX_RECORDS, p.missing);
        if (parsed.ids) throw new SluiceError('CONSOLE_NO_LOOKUP', 'the console scores records, not record ids', { hint: 'paste the records themselves' });
        const results = await p.predict(parsed.records);
        const bad = results.findIndex(isRecordError);
        if (bad >= 0) {
          const e = (results[bad] as { error: { code: string; message: string; hint?: string } }).error;
          throw new SluiceError(e.code, `record ${bad + 1}: ${e.message}`, { ...(e.hint ? { hint: e.hint } : {}) });
        }
        return render(req, reply, 200, { format, body, result: { predictions: results as Prediction[], version: p.version } });
      } catch (e) {
        const err = toSluiceError(e);
        if (err.httpStatus >= 500 && err.code !== 'ENDPOINT_NO_MODEL') req.log.error({ err: e }, 'console prediction failed');
        return render(req, reply, err.httpStatus, { format, body, result: { error: { code: err.code, message: err.message, hint: err.hint } } });
      } finally {
        lease?.release();
      }
    },
  );
}
