import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { SluiceError } from '../../core/errors.js';
import { CONFIG_FILE } from './loadProject.js';

/** The sluice.yaml `sluice init` writes: every setting present, each with what it does. */
export function configTemplate(name: string): string {
  return `# Sluice project configuration. Reference: docs/configuration.md (JSON Schema: docs/config.schema.json).
# Relative paths are relative to this file's folder.

# A name for this project (shown in the console and in messages).
name: ${JSON.stringify(name)}

# Folder watched for new data files. A file is taken once completely written (its size stable
# for stabilityMs, or renamed into place), then moved to the archive.
inbox: inbox
# Where taken files are moved, one folder per execution (archive/<execution id>/<file>).
archive: archive
# Milliseconds a file's size must stay unchanged before it is taken.
stabilityMs: 1000
# State folder: SQLite database (executions, approvals, registries), reports, models, offline store.
stateDir: .sluice
# How many executions are driven at once (executions waiting for a human do not count).
concurrency: 4
# A file whose content (sha256) was already processed: skip (recorded in its history) or process.
duplicates: skip
# Folders besides the inbox and the archive whose files the server may start executions on
# (POST /api/executions). Anything else is refused: files elsewhere, symlinks leading out, this
# state folder, devices, FIFOs, sockets, /proc. Example: [data/incoming]
inputRoots: []
# Bounds on reading an input file when its execution starts: size, and time to read it.
inputLimits:
  maxBytes: 10737418240   # 10 GiB
  readTimeout: 10m

# The recipe applied to each file, the column models predict, and the record id column.
flow: flows/main.flow.yaml
target: readmitted
id: encounter_id
# Quality gates checked by the report (a failed gate is shown first to approvers).
gates: gates.yaml
# Text values read as missing, replacing pandas' default list (docs/data.md). Example: ["?", "n/a"]
# missingTokens: ["", "NA", "N/A", "NaN", "null"]
# The day/month order of dates written 12/06/1998: dmy or mdy (without it they stay text).
# dateOrder: dmy
# Above this many rows, the report's correlations, quick model, prediction power and anomalies read
# a uniform random sample of about this many rows (the report says so); counts and column statistics
# read every row. 'all' never samples (docs/report.md, "How it is computed").
# reportSampleRows: 250000
# The python3 (with pandas) that runs the flow's python steps; SLUICE_PYTHON wins. Default: the first of
# /usr/bin/python3 and python3 on PATH that can import pandas (docs/flows.md, "Python steps").
# python: /usr/bin/python3

# The feature group approved batches are ingested into (created from the first batch's schema).
featureGroup:
  name: encounters
  recordIdentifier: record_id
  eventTime: event_time

# The model trained on each approved batch, registered, and served by the endpoint when it beats
# the champion on the batch's holdout. metric: log_loss, roc_auc, accuracy, macro_f1 (classification),
# rmse, mae, r2 (regression); AutoML's default for the problem when absent.
model:
  name: readmission
  # metric: log_loss
  timeLimit: 120        # seconds of AutoML search per batch
  holdout: 0.2          # fraction of each batch held out to compare candidate and champion
  seed: 0
  # learners: [gbdt, logistic, forest, baseline]
  sampleRate: 0         # fraction of endpoint predictions logged (0 logs none)

# Storage backends, by short name. Embedded defaults: local folders and SQLite.
stores:
  offline: { type: local, path: .sluice/offline }
  online: { type: sqlite }
  artifacts: { type: local, path: .sluice/models }
  # Executions, approvals, registries, users and the audit: the project's SQLite file by default.
  # To share them between machines, PostgreSQL (SLUICE_DATABASE_URL, when set, wins):
  # state: { type: postgres, url: "postgres://sluice:\${SLUICE_DB_PASSWORD}@db.example.com:5432/sluice" }

# With the state on PostgreSQL, activities run on sluice worker processes (and in sluice serve
# unless --no-work), taken from a job queue in that database: a claimed run's lease (renewed while
# it runs; a dead worker's runs move on after it), how often an idle worker looks for runs, runs
# per worker at once, and starts without a result (its worker died each time) that fail an attempt.
# queue: { lease: 30s, poll: 1s, concurrency: 2, maxStarts: 5 }

# The HTTP server (sluice serve): API, approval pages, console, prediction endpoint.
server:
  host: 127.0.0.1
  port: 7300
  # Base URL used in links sent to approvers (set it when Sluice is behind a proxy).
  publicUrl: http://127.0.0.1:7300
  # Slow or idle clients are cut off, and connections beyond maxConnections closed at once.
  limits:
    headersTimeout: 10s     # to send the request headers
    requestTimeout: 60s     # to send the whole request
    keepAliveTimeout: 5s    # an idle kept-alive connection
    maxConnections: 1000

# When the disk is full (ENOSPC, SQLITE_FULL) a step pauses and is tried again, waiting retry,
# then twice as long each time, up to maxRetry (docs/operations.md).
diskFull:
  retry: 5s
  maxRetry: 5m

# Access to the real-time endpoint (POST /invocations): bearer tokens and a rate limit per caller
# (docs/endpoint.md). Open, without limit, when absent. Example:
# endpoint:
#   auth: { tokenEnv: SLUICE_ENDPOINT_TOKENS }
#   rateLimit: { perSecond: 100, burst: 200 }

# People who read (viewer) or decide (approver, admin). Only approvers and admins decide.
approvers:
  - name: Change Me
    email: approver@example.com
    role: approver

# Outgoing mail for approval messages. Uncomment and fill in to send e-mail.
# smtp:
#   host: smtp.example.com
#   port: 587
#   secure: false          # true for TLS from the start (port 465)
#   ignoreTLS: false       # true only for a local relay without TLS
#   user: sluice@example.com
#   passEnv: SLUICE_SMTP_PASSWORD   # the environment variable holding the password
#   from: "Sluice <sluice@example.com>"

# JSON webhooks told about new batches and pending approvals (Slack incoming webhooks work).
webhooks: []
#  - name: team
#    url: https://hooks.slack.com/services/...

# Object-storage events (POST /api/s3-events: AWS S3, MinIO, Ceph, EventBridge, SNS): each created
# object is fetched and processed. Uncomment to accept them; the sender sends the shared secret in
# x-sluice-secret, Authorization: Bearer (MinIO auth_token) or Basic (SNS), see docs/pipelines.md.
# s3Events:
#   endpoint: http://127.0.0.1:9000    # an S3-compatible server; AWS when absent
#   region: us-east-1
#   forcePathStyle: true
#   accessKeyIdEnv: SLUICE_S3_KEY
#   secretAccessKeyEnv: SLUICE_S3_SECRET
#   secretEnv: SLUICE_S3_WEBHOOK_SECRET
#   buckets: [landing]
#   sns:                               # SNS subscriptions verified by signature instead of the secret
#     topicArns: ["arn:aws:sns:eu-west-1:123456789012:landing-events"]

# The pipeline: "default" (flow -> report -> notify -> approval -> features + training ->
# register -> deploy if better), a path such as pipelines/main.yaml, or the states inline.
# See docs/pipelines.md.
pipeline: default
`;
}

/**
 * The starter recipe sluice.yaml names (`flow: flows/main.flow.yaml`): valid as written, it
 * keeps every column and every row, so a fresh project runs end to end before anyone edits it.
 */
export const STARTER_FLOW = `# The recipe applied to every file that arrives (docs/flows.md lists every step kind).
# As written it keeps every column and every row. Import a Data Wrangler recipe with
# \`sluice flow import recipe.flow --out flows/main.flow.yaml\`, or add steps, for example:
#   - kind: impute
#     columns: [age]
#     strategy: median
#   - kind: one_hot
#     columns: [race]
# Check it with \`sluice flow validate flows/main.flow.yaml --input data.csv\`.
version: 1
name: main
steps: []
`;

/**
 * Creates a project in `dir`: sluice.yaml (every setting present and commented), flows/ with
 * the starter recipe main.flow.yaml, inbox/, and a .gitignore for the state folder. Refuses to touch a folder that already has a
 * sluice.yaml. Returns the files created.
 */
export function initProject(dir: string): string[] {
  const root = resolve(dir);
  const file = join(root, CONFIG_FILE);
  if (existsSync(file)) {
    throw new SluiceError('PROJECT_EXISTS', `${file} already exists; nothing was changed`, {
      hint: 'init creates new projects only; edit the existing sluice.yaml instead',
    });
  }
  mkdirSync(root, { recursive: true });
  const created: string[] = [];
  const write = (rel: string, content: string) => {
    const p = join(root, rel);
    if (existsSync(p)) return;
    writeFileSync(p, content, { flag: 'wx' });
    created.push(rel);
  };
  for (const d of ['flows', 'inbox']) {
    if (!existsSync(join(root, d))) {
      mkdirSync(join(root, d));
      created.push(`${d}/`);
    }
    write(`${d}/.gitkeep`, '');
  }
  write('flows/main.flow.yaml', STARTER_FLOW);
  write('.gitignore', '# Sluice state (database, reports, models): machine-local, never committed.\n.sluice/\narchive/\n');
  // sluice.yaml last and exclusively: its presence marks a complete project.
  writeFileSync(file, configTemplate(basename(root)), { flag: 'wx' });
  created.push(CONFIG_FILE);
  return created;
}
