import type { FastifySchema, FastifySchemaCompiler, FastifySerializerCompiler } from 'fastify';
import { z } from 'zod';
import { SluiceError } from '../../core/errors.js';
import { MAX_QUOTED, quoteValue } from '../../core/quoteValue.js';
import { issuePath } from '../../core/zodIssues.js';

/**
 * How a route answers its errors: `plain` is the SluiceError itself (`{ code, message, hint,
 * location }`, the REST API), `wrapped` is `{ error: {...} }` (the endpoint, the model registry,
 * the feature store), `html` a page for people (console, sign-in, approval links).
 */
export type ErrorShape = 'plain' | 'wrapped' | 'html';

/** The error statuses a route can document (issue 18). */
export type ErrorStatus = 400 | 401 | 403 | 404 | 406 | 409 | 410 | 413 | 415 | 429 | 500 | 502 | 503;

/** One documented answer of a route. */
export interface ResponseDoc {
  description: string;
  /** The JSON body: documented, and checked against what the route really sends while the tests run. */
  json?: z.ZodType;
  /** Bodies of other types (`text/html`, `text/csv`, ...), documented. */
  content?: Record<string, z.ZodType>;
  /** Response headers worth knowing (name -> what it says). */
  headers?: Record<string, string>;
}

/**
 * Everything a route accepts and answers, in zod: the one owner of both the request validation
 * (Fastify validates params, query and body with these schemas) and the OpenAPI document
 * (`buildOpenApi` converts the same schemas). Spread {@link contract}'s result into the route's options.
 */
export interface RouteContract {
  params?: z.ZodType;
  query?: z.ZodType;
  /** The parsed body (JSON, or the fields of a form). */
  body?: z.ZodType;
  /** The media types the body is accepted as (default `application/json`). */
  bodyTypes?: readonly string[];
  /**
   * A body the route reads itself, per media type: JSON the route validates with these same
   * schemas once it knows how to (`/invocations` by the body's keys, `/api/s3-events` after the
   * sender is authenticated); text (CSV, JSON Lines) read by its parser and documented as text.
   */
  bodyDoc?: Record<string, z.ZodType>;
  /** May the body be left out (default: required when there is one). */
  bodyOptional?: boolean;
  /** Answers by status with bodies of their own: every success (201, 204 and 303 included), and an error not in the route's {@link ErrorShape} (`/ping`'s 503). */
  ok: Record<number, ResponseDoc>;
  /** Error answers by status, each with when it happens; the body is the route's {@link ErrorShape}. */
  errors: Partial<Record<ErrorStatus, string>>;
  errorShape?: ErrorShape;
  /** The code of the 400 a request failing the schema gets (default `BAD_REQUEST`). */
  invalidCode?: string;
  /** A code of its own for a bad value of one top-level field (`{ status: 'MODEL_BAD_STATUS' }`). */
  invalidCodes?: Record<string, string>;
}

/** Where a route's contract is kept on its Fastify schema, for the OpenAPI builder. */
export const CONTRACT = 'x-sluice-contract';

export type ContractSchema = FastifySchema & { [CONTRACT]?: RouteContract };

/** Are responses checked against their schemas (while the tests run, or with SLUICE_CHECK_RESPONSES=1)? */
const CHECK_RESPONSES = process.env.SLUICE_CHECK_RESPONSES === '1' || process.env.VITEST !== undefined;

/**
 * Route options carrying `c`: the Fastify schema (params, querystring, body, JSON responses)
 * and the compilers that validate with zod. A request failing the schema gets a 400 SluiceError
 * naming the field and what is wrong with it; the parsed value (defaults applied, numbers of the
 * query coerced, unknown fields dropped) replaces the request's.
 *
 * @example
 * app.get('/api/things/:id', contract({ params: z.object({ id: z.string() }), ok: { 200: { description: 'the thing', json: thingSchema } }, errors: { 404: 'no such thing' } }), handler);
 */
export function contract(c: RouteContract): {
  schema: ContractSchema;
  validatorCompiler: FastifySchemaCompiler<FastifySchema>;
  serializerCompiler: FastifySerializerCompiler<FastifySchema>;
} {
  const response: Record<number, z.ZodType> = {};
  for (const [status, r] of Object.entries(c.ok)) if (r.json) response[Number(status)] = r.json;
  const schema: ContractSchema = {
    ...(c.params ? { params: c.params } : {}),
    ...(c.query ? { querystring: c.query } : {}),
    ...(c.body ? { body: c.body } : {}),
    ...(Object.keys(response).length ? { response } : {}),
    [CONTRACT]: c,
  };
  const invalidCode = c.invalidCode ?? 'BAD_REQUEST';
  return {
    schema,
    validatorCompiler:
      ({ schema, httpPart }) =>
      (data: unknown) => {
        if (httpPart === 'body' && data == null && c.bodyOptional) return {};
        const r = (schema as unknown as z.ZodType).safeParse(data ?? {});
        if (r.success) return { value: r.data };
        const top = r.error.issues[0]?.path[0];
        return { error: invalidRequest(r.error, httpPart ?? 'body', (typeof top === 'string' ? c.invalidCodes?.[top] : undefined) ?? invalidCode) };
      },
    serializerCompiler:
      ({ schema, url, method, httpStatus }) =>
      (data: unknown) => {
        if (CHECK_RESPONSES) {
          const r = (schema as unknown as z.ZodType).safeParse(data);
          if (!r.success)
            throw new SluiceError(
              'RESPONSE_SCHEMA_MISMATCH',
              `${method} ${url} answered ${httpStatus} with a body its documented schema refuses: ${describeIssue(r.error.issues[0])}`,
              { httpStatus: 500, hint: 'fix the route or its contract (src/server/openapi/routeContract.ts)' },
            );
        }
        return JSON.stringify(data);
      },
  };
}

/** A 400 naming the first problem: which field of which part, and what it must be. */
function invalidRequest(error: z.ZodError, part: string, code: string): SluiceError {
  const issue = error.issues[0];
  const field = issue ? issuePath(issue) : '';
  const where = part === 'querystring' ? 'query parameter' : part === 'params' ? 'path parameter' : 'body field';
  // A field path can hold a client's keys (a record's column names): quoted and cut like any value.
  return new SluiceError(
    code,
    field ? `${where} ${quoteValue(field)}: ${describeIssue(issue)}` : `the ${part === 'querystring' ? 'query' : part}: ${describeIssue(issue)}`,
    {
      httpStatus: 400,
      ...(field ? { location: { field: field.length > MAX_QUOTED ? `${field.slice(0, MAX_QUOTED)}…` : field } } : {}),
      hint: 'check the request against docs/openapi.json (or GET /api/openapi.json)',
      ...(error.issues.length > 1
        ? { details: { problems: error.issues.slice(0, 20).map((i) => ({ field: issuePath(i).slice(0, MAX_QUOTED), message: i.message })) } }
        : {}),
    },
  );
}

function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  return issue ? `${issue.message}` : 'invalid';
}

/**
 * The fields of a browser form: a body that is not an object (JSON sent to a form route) reads
 * as an empty form, so the route's own checks (its CSRF token first) answer it as they answer a
 * form without fields. The document shows the fields.
 */
export function formFields<T extends z.ZodObject>(fields: T) {
  return z.preprocess((v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v : {}), fields);
}

/** The schema a document shows for `s`: the fields of a {@link formFields} body, else `s` itself. */
export function documentedSchema(s: z.ZodType): z.ZodType {
  return s instanceof z.ZodPipe ? (s.out as z.ZodType) : s;
}

/** Is `s` a zod schema (rather than a plain JSON schema of a route written without {@link contract})? */
export function isZodSchema(s: unknown): s is z.ZodType {
  return s instanceof z.ZodType;
}
