/**
 * The project configuration, `sluice.yaml`, as a zod schema (docs/config.schema.json is generated
 * from it). Pure: parsing the file and locating errors by line is the loader's job
 * (src/pipeline/project/loadProject.ts); this module only says what is valid.
 */
import { z } from 'zod';
import { diskFullSchema, inputLimitsSchema, serverLimitsSchema } from './limitsConfig.js';
import { endpointConfigSchema } from './endpointConfig.js';
import { queueConfigSchema } from './queueConfig.js';
import { stateStoreSchema } from './stateStoreConfig.js';
import { DEFAULT_STATE_DIR } from './stateDir.js';

export const approverSchema = z
  .strictObject({
    name: z.string().min(1),
    email: z.email().optional(),
    role: z.enum(['approver', 'admin', 'viewer']).default('approver'),
    passwordHash: z.string().optional().meta({ description: "scrypt hash for console login (written by the console's user command)." }),
  })
  .meta({ description: 'A person who reads (viewer) or decides (approver, admin).' });

export const smtpSchema = z
  .strictObject({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(587),
    secure: z.boolean().default(false).meta({ description: 'TLS from the start (port 465); otherwise STARTTLS when offered.' }),
    ignoreTLS: z.boolean().default(false).meta({ description: 'Never use STARTTLS (a local relay only).' }),
    user: z.string().optional(),
    passEnv: z.string().optional().meta({ description: 'Name of the environment variable that holds the SMTP password (never the password itself).' }),
    from: z.string().min(3),
  })
  .meta({ description: 'Outgoing mail server for approval messages.' });

export const webhookSchema = z.strictObject({
  name: z.string().optional(),
  url: z.url(),
});

const storeSchema = z.strictObject({
  type: z.string().min(1).meta({ description: 'Backend short name: local, s3 (offline, artifacts, reports, archive, batches); sqlite, redis (online).' }),
  path: z.string().optional(),
  url: z.string().optional(),
  bucket: z.string().optional(),
  prefix: z.string().optional(),
});

const SAMPLE_ROWS_RULE = "a whole number of rows of at least 1, or 'all'";

export const configSchema = z
  .strictObject({
    name: z.string().min(1).default('sluice-project'),
    inbox: z.string().default('inbox').meta({ description: 'Folder watched for new data files.' }),
    archive: z.string().default('archive').meta({ description: 'Where taken files are moved, one folder per execution.' }),
    stateDir: z.string().default(DEFAULT_STATE_DIR).meta({ description: 'State folder: database, reports, models, offline store.' }),
    stabilityMs: z.number().int().min(0).default(1000).meta({ description: 'A file is taken from the inbox once its size has not changed for this long.' }),
    concurrency: z.number().int().min(1).max(256).default(4).meta({ description: 'Executions driven at once.' }),
    queue: queueConfigSchema,
    duplicates: z.enum(['skip', 'process']).default('skip').meta({ description: 'What to do with a file whose content was already processed.' }),
    inputRoots: z.array(z.string().min(1)).default([]).meta({
      description: 'Folders besides the inbox and the archive whose files the server may start executions on (POST /api/executions); relative to the project.',
    }),
    inputLimits: inputLimitsSchema,
    diskFull: diskFullSchema,
    flow: z.string().optional().meta({ description: 'The recipe applied to each file (flows/*.flow.yaml).' }),
    target: z.string().optional().meta({ description: 'The column models predict.' }),
    id: z.string().optional().meta({ description: 'The record id column (feature store).' }),
    gates: z.string().optional().meta({ description: 'Quality gates file.' }),
    missingTokens: z.array(z.string()).optional().meta({
      description:
        "Text values read as missing in this project's data, replacing pandas' default list (docs/data.md); a flow's missing_tokens replaces it in turn.",
    }),
    dateOrder: z.enum(['dmy', 'mdy']).optional().meta({
      description:
        "The day/month order of numeric dates such as 12/06/1998 in this project's data (dmy: 12 June; mdy: 6 December). Without it such columns stay text; names of months and ISO dates need no order (docs/data.md).",
    }),
    reportSampleRows: z
      .union([z.number().int({ error: SAMPLE_ROWS_RULE }).min(1, { error: SAMPLE_ROWS_RULE }), z.literal('all')], { error: SAMPLE_ROWS_RULE })
      .optional()
      .meta({
        description:
          "Above this many rows the report's correlations, quick model, prediction power and anomalies read a uniform random sample of about this many rows (stated in the report); 'all' reads every row. Default 250000 (docs/report.md).",
      }),
    python: z.string().min(1).optional().meta({
      description:
        'The python3 that runs python flow steps (pandas code); the environment variable SLUICE_PYTHON wins. Default: the first of /usr/bin/python3 and python3 on PATH that can import pandas.',
    }),
    featureGroup: z
      .strictObject({
        name: z.string().min(1),
        recordIdentifier: z.string().optional().meta({ description: 'Defaults to `id`, else record_id.' }),
        eventTime: z.string().default('event_time'),
      })
      .optional()
      .meta({ description: 'The feature group approved batches are ingested into (created from the first batch).' }),
    model: z
      .strictObject({
        name: z
          .string()
          .min(1)
          .optional()
          .meta({ description: 'The registered model the pipeline trains and the endpoint serves; defaults to the project name.' }),
        metric: z.string().optional().meta({
          description:
            "Holdout metric that ranks candidates and decides deployment (log_loss, roc_auc, accuracy, macro_f1, rmse, r2...); AutoML's default for the problem when absent.",
        }),
        timeLimit: z.number().positive().default(120).meta({ description: 'Seconds AutoML may search per batch.' }),
        holdout: z.number().gt(0).lt(1).default(0.2).meta({ description: 'Fraction of each batch held out to compare the candidate with the champion.' }),
        seed: z.number().int().default(0),
        learners: z.array(z.string()).optional().meta({ description: 'Restrict the search to these learners (gbdt, logistic, linear, forest, baseline).' }),
        maxCandidates: z.number().int().min(1).optional().meta({ description: 'Cap on candidates tried (reproducible runs).' }),
        ensemble: z.boolean().optional(),
        allowLeaks: z.array(z.string()).optional().meta({
          description: 'Features kept although they predict the target almost alone (prediction power >= 0.98); without this, training refuses them as leaks.',
        }),
        sampleRate: z.number().min(0).max(1).default(0).meta({ description: 'Fraction of endpoint predictions logged to the predictions table.' }),
        allowSchemaChange: z.boolean().default(false).meta({
          description:
            "Let the pipeline make a model champion although its required inputs differ from the champion's (default false: it stays challenger, with a finding in the execution history).",
        }),
      })
      .default({ timeLimit: 120, holdout: 0.2, seed: 0, sampleRate: 0, allowSchemaChange: false })
      .meta({ description: 'Training, registration and serving of the model approved batches train.' }),
    stores: z
      .strictObject({
        offline: storeSchema.optional(),
        online: storeSchema.optional(),
        artifacts: storeSchema
          .optional()
          .meta({ description: 'Registered model versions: local (.sluice/models, default) or s3 (bucket, prefix default artifacts, url).' }),
        reports: storeSchema.optional().meta({ description: 'Insights reports: local (.sluice/reports, default) or s3 (prefix default reports).' }),
        archive: storeSchema
          .optional()
          .meta({ description: 'Taken input files: local (the archive folder, default) or s3 (prefix default archive); Sluice never deletes them.' }),
        batches: storeSchema.optional().meta({ description: "Each pipeline step's files: local (.sluice/batches, default) or s3 (prefix default batches)." }),
        state: stateStoreSchema.optional(),
      })
      .default({}),
    server: z
      .strictObject({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(7300),
        publicUrl: z.string().optional().meta({ description: 'Base URL used in links sent to approvers; defaults to http://host:port.' }),
        sessionIdle: z
          .string()
          .regex(/^(\d+(\.\d+)?(ms|s|m|h|d|w))+$/)
          .optional()
          .meta({ description: 'A console session unused this long ends (default 12h).' }),
        sessionMaxAge: z
          .string()
          .regex(/^(\d+(\.\d+)?(ms|s|m|h|d|w))+$/)
          .optional()
          .meta({ description: 'A console session ends this long after sign-in, used or not (default 7d).' }),
        limits: serverLimitsSchema,
      })
      .default({ host: '127.0.0.1', port: 7300, limits: serverLimitsSchema.parse(undefined) }),
    endpoint: endpointConfigSchema,
    approvers: z.array(approverSchema).default([]),
    smtp: smtpSchema.optional(),
    webhooks: z.array(webhookSchema).default([]),
    s3Events: z
      .strictObject({
        endpoint: z.string().optional().meta({ description: 'S3-compatible endpoint (MinIO, Ceph...); AWS when absent.' }),
        region: z.string().default('us-east-1'),
        forcePathStyle: z.boolean().optional(),
        accessKeyIdEnv: z.string().optional().meta({ description: 'Environment variable with the access key id (else the SDK default chain).' }),
        secretAccessKeyEnv: z.string().optional(),
        secretEnv: z.string().meta({
          description: 'Environment variable with the shared secret the notifier sends (x-sluice-secret, Authorization: Bearer, or the Basic password).',
        }),
        buckets: z.array(z.string()).optional().meta({ description: 'Buckets accepted; all when absent.' }),
        sns: z
          .strictObject({
            topicArns: z
              .array(z.string())
              .optional()
              .meta({ description: 'SNS topics accepted; a signed SNS message without the shared secret is accepted only from these.' }),
            hosts: z.array(z.string()).optional().meta({
              description:
                'host:port trusted besides sns.<region>.amazonaws.com for SubscribeURL and SigningCertURL (an SNS-compatible service, a test server).',
            }),
          })
          .optional()
          .meta({ description: 'Amazon SNS HTTP/HTTPS subscriptions: which topics and hosts to trust.' }),
      })
      .optional()
      .meta({ description: 'Accept S3 event notifications at POST /api/s3-events and fetch the new objects.' }),
    pipeline: z
      .union([z.literal('default'), z.string().min(1), z.record(z.string(), z.unknown())])
      .default('default')
      .meta({ description: '`default`, a path to a pipeline YAML file, or the pipeline itself (see pipeline.schema.json).' }),
  })
  .meta({ id: 'SluiceConfig', title: 'sluice.yaml', description: 'A Sluice project configuration.' });

export type SluiceConfig = z.output<typeof configSchema>;
export type ApproverConfig = z.output<typeof approverSchema>;

/** The JSON Schema of sluice.yaml (docs/config.schema.json). */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
