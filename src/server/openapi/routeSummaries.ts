import { CONSOLE_PAGES } from '../console/consolePages.js';

/** What each tag of the document groups. */
export const TAGS: Record<string, string> = {
  server: 'The server itself: liveness and this document',
  auth: 'Signing in and out, and the audit log (docs/auth.md)',
  executions: 'Pipeline executions: list, start, inspect, redrive (docs/pipelines.md)',
  approvals: 'Human approvals: by a signed-in approver, by API token, or by the single-use link of an approval message',
  reports: 'The insights reports executions write (docs/report.md)',
  triggers: 'Events that start executions: object-storage notifications (docs/pipelines.md, Triggers)',
  features: 'The feature store: groups and online records (docs/features.md)',
  endpoint: 'The real-time endpoint: SageMaker, MLflow and TF Serving protocols, health and metrics (docs/endpoint.md)',
  models: 'The model registry: versions, aliases, approval and promotion (docs/models.md)',
  console: 'The web console: HTML pages and forms for signed-in people (docs/console.md)',
};

/**
 * One line per route for the OpenAPI document, keyed `METHOD /path` (Fastify's `:param` form).
 * A route's own `schema.summary` wins; a route missing from both is listed by the docs test, so a
 * new route gets its line here (a console page gets its line from CONSOLE_PAGES). Tags group the routes in the document.
 */
export const ROUTE_SUMMARIES: Record<string, { summary: string; tag: string; description?: string }> = {
  'GET /api/health': { tag: 'server', summary: 'Liveness: `{ ok: true }`' },
  'GET /api/openapi.json': { tag: 'server', summary: 'This OpenAPI document' },
  'GET /login': { tag: 'auth', summary: 'The sign-in form (HTML)' },
  'POST /login': { tag: 'auth', summary: 'Sign in: form fields name, password, csrf, next; sets the session cookie and redirects (303)' },
  'POST /logout': { tag: 'auth', summary: 'Sign out: ends the session' },
  'GET /api/audit': { tag: 'auth', summary: 'The audit log, newest first: every decision and change, who, when, from where (admins)' },
  'GET /api/executions': { tag: 'executions', summary: 'Executions, newest first: `{ executions, total }`' },
  'POST /api/executions': { tag: 'executions', summary: 'Start an execution for a file on the server (201; 200 with status skipped for a duplicate)' },
  'GET /api/executions/:id': { tag: 'executions', summary: 'One execution, its results so far and its pipeline' },
  'GET /api/executions/:id/history': { tag: 'executions', summary: 'The event timeline of an execution: `{ executionId, events }`' },
  'POST /api/executions/:id/redrive': { tag: 'executions', summary: 'Restart a failed execution from its failed step (admins)' },
  'GET /api/approvals': { tag: 'approvals', summary: 'Pending approvals: `{ approvals: [{ executionId, file, step, requestedAt, expiresAt }] }`' },
  'POST /api/executions/:id/approve': { tag: 'approvals', summary: 'Approve, as an authenticated approver' },
  'POST /api/executions/:id/reject': { tag: 'approvals', summary: 'Reject, as an authenticated approver (a reason is required)' },
  'POST /api/approvals/decide': { tag: 'approvals', summary: 'Decide with a single-use token from an approval message' },
  'GET /approve/:token': { tag: 'approvals', summary: 'The decision page an approval link opens (HTML; deciding needs its form)' },
  'POST /approve/:token': { tag: 'approvals', summary: "The decision page's form (form-encoded, with its CSRF token)" },
  'GET /reports/:id/:file': { tag: 'reports', summary: "An execution's report: report.html or report.json" },
  'POST /api/s3-events': {
    tag: 'triggers',
    summary: 'Object-storage events (AWS S3, MinIO, Ceph, EventBridge, SNS); the sender proves itself with the shared secret or an SNS signature',
  },
  'GET /api/features/groups': { tag: 'features', summary: 'Feature groups: `{ groups }`' },
  'GET /api/features/groups/:group': { tag: 'features', summary: 'A feature group and its offline history (batches, rows, files)' },
  'GET /api/features/groups/:group/records/:id': { tag: 'features', summary: 'The latest record of an id from the online store (404 RECORD_NOT_FOUND)' },
  'POST /api/features/records/batch-get': { tag: 'features', summary: 'Records of many ids: `{ requests: [{ group, ids }] }` (at most 1000 ids)' },
  'PUT /api/features/groups/:group/records': { tag: 'features', summary: 'Write one record to the online store: `{ record, ttlSeconds? }`' },
  'DELETE /api/features/groups/:group/records/:id': { tag: 'features', summary: "Delete an id's online record (`?eventTime=ISO`)" },
  'POST /invocations': {
    tag: 'endpoint',
    summary:
      'Predict: records as text/csv, application/json (MLflow, TF Serving shapes) or application/jsonlines in; JSON `{ predictions, model, model_version }`, CSV or JSON Lines out by Accept (docs/endpoint.md)',
  },
  'GET /ping': { tag: 'endpoint', summary: 'Health check: 200 with the loaded model and its inputs, 503 without a model' },
  'GET /health': { tag: 'endpoint', summary: "MLflow's health check: as /ping" },
  'GET /version': { tag: 'endpoint', summary: "MLflow's version route: the Sluice version, as text" },
  'GET /metrics': { tag: 'endpoint', summary: 'Prometheus metrics (text format)' },
  'GET /api/models': { tag: 'models', summary: 'Every model with its version count, latest version and aliases' },
  'GET /api/models/:name': { tag: 'models', summary: "A model's versions (newest first) and aliases" },
  'GET /api/models/:name/versions/:ref': { tag: 'models', summary: 'One version (number, alias or latest) with its history' },
  'GET /api/models/:name/history': { tag: 'models', summary: 'Every recorded change of a model' },
  'POST /api/models/:name/versions/:ref/status': { tag: 'models', summary: 'Approve or reject a version: `{ status, comment? }`' },
  'POST /api/models/:name/versions/:ref/tags': { tag: 'models', summary: 'Set or remove tags: `{ tags: { key: value | null } }`' },
  'POST /api/models/:name/promote': { tag: 'models', summary: 'Move an alias to a version: `{ version, alias }`' },
  'POST /api/models/:name/rollback': { tag: 'models', summary: 'Champion back to the previous one: `{ comment? }`' },
  'DELETE /api/models/:name/aliases/:alias': { tag: 'models', summary: 'Remove an alias (204)' },
  'DELETE /api/models/:name/versions/:ref': { tag: 'models', summary: 'Delete a version and its artifacts (204)' },
  // The web console (HTML pages for people, signed in; src/server/console, docs/console.md): its pages'
  // lines come from CONSOLE_PAGES, the forms and embedded reports are here.
  ...Object.fromEntries(CONSOLE_PAGES.map((p) => [`GET ${p.path}`, { tag: 'console', summary: `Console page ${p.title}: ${p.summary} (HTML)` }])),
  'POST /executions/:id/decide': { tag: 'console', summary: 'Console decision form: approve or reject (approvers; form-encoded with its CSRF token)' },
  'GET /executions/:id/report': { tag: 'console', summary: 'Console: the insights report of an execution, for the sandboxed frame (HTML)' },
  'POST /models/:name/promote': { tag: 'console', summary: 'Console form: make a version champion (admins)' },
  'POST /models/:name/rollback': { tag: 'console', summary: 'Console form: champion back to the previous one (admins)' },
  'GET /models/:name/versions/:version/report': { tag: 'console', summary: 'Console: the model report of a version (HTML)' },
  'POST /endpoint/predict': { tag: 'console', summary: 'Console form: one prediction from the endpoint' },
};
