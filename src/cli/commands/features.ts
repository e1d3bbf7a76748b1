import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { SluiceError } from '../../core/errors.js';
import { refuseReservedOptionKey } from '../../core/refuseReservedKeys.js';
// Heavy modules load inside the actions, so `sluice --help` starts fast (test/cli/startup.test.ts).
import { parseFeatureRef } from '../../features/buildDataset.js';
import type { FeatureStore } from '../../features/FeatureStore.js';
import { FEATURE_TYPES, type FeatureType } from '../../features/types.js';

interface StoreOptions {
  project: string;
  online?: string;
  offline?: string;
  s3Endpoint?: string;
}

const out = (text: string) => process.stdout.write(text + '\n');
const json = (v: unknown) => out(JSON.stringify(v, null, 2));

/** Opens the project's store, runs `fn`, and always closes it. */
async function withStore<T>(o: StoreOptions, fn: (fs: FeatureStore) => Promise<T>): Promise<T> {
  const [{ FeatureStore }, { featureStoreFromConfig }, { CONFIG_FILE, loadProject }, { parseOfflineOption }, { parseOnlineOption }] = await Promise.all([
    import('../../features/FeatureStore.js'),
    import('../../features/featureStoreFromConfig.js'),
    import('../../pipeline/project/loadProject.js'),
    import('../../features/offline/parseOfflineOption.js'),
    import('../../features/online/createOnlineStore.js'),
  ]);
  const dir = resolve(o.project);
  // In a project, its sluice.yaml `stores:` and `stateDir` apply; the flags override them.
  const config = existsSync(join(dir, CONFIG_FILE)) ? loadProject(dir).config : undefined;
  const overrides = {
    ...(o.online !== undefined ? { online: parseOnlineOption(o.online) } : {}),
    ...(o.offline !== undefined ? { offline: parseOfflineOption(o.offline, o.s3Endpoint) } : {}),
  };
  const fs = config
    ? await featureStoreFromConfig(dir, config, overrides)
    : await FeatureStore.open({ projectDir: dir, online: parseOnlineOption(o.online), offline: parseOfflineOption(o.offline, o.s3Endpoint) });
  try {
    return await fn(fs);
  } finally {
    await fs.close();
  }
}

function common(cmd: Command): Command {
  return cmd
    .option('--project <dir>', 'project folder (state in DIR/.sluice; its sluice.yaml `stores:` apply)', process.cwd())
    .option('--online <store>', 'online store: sqlite (default) or a redis://host:port URL (overrides sluice.yaml)')
    .option('--offline <storage>', 'offline storage: local (default, DIR/.sluice/offline) or s3://bucket/prefix (overrides sluice.yaml)')
    .option('--s3-endpoint <url>', 'endpoint of an S3-compatible server (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, or AWS)');
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function keyValues(list: string[] | undefined, what: string): Record<string, string> {
  const res: Record<string, string> = {};
  for (const item of list ?? []) {
    const i = item.indexOf('=');
    if (i <= 0) throw new SluiceError('CLI_OPTION_INVALID', `${what} "${item}" is not KEY=VALUE`, { hint: `e.g. --${what} team=care` });
    refuseReservedOptionKey(what, item); // res.__proto__ = ... would drop it
    res[item.slice(0, i)] = item.slice(i + 1);
  }
  return res;
}

function seconds(value: string | undefined, option: string): number | null | undefined {
  if (value === undefined) return undefined;
  if (value === 'none') return null;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new SluiceError('CLI_OPTION_INVALID', `--${option} "${value}" is not a whole number of seconds`, { hint: `e.g. --${option} 86400, or none` });
  return n;
}

/** Renders rows as an aligned text table. */
function table(rows: Array<Record<string, unknown>>): string {
  if (rows.length === 0) return '(no rows)';
  const cols = Object.keys(rows[0]!);
  const cell = (v: unknown) => (v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : String(v));
  const widths = cols.map((c) => Math.min(40, Math.max(c.length, ...rows.map((r) => cell(r[c]).length))));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v.slice(0, widths[i]).padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n');
}

/**
 * `sluice features create|list|describe|ingest|get|delete|query|dataset`: the feature store
 * from the command line. Every subcommand takes `--project DIR` (default: here).
 */
export function register(program: Command): void {
  const features = program.command('features').description('feature store: groups, ingestion, online lookups, SQL and point-in-time datasets');

  common(features.command('create <group>'))
    .description('create a feature group from a data file (or add its new columns with --evolve)')
    .requiredOption('--from <file>', 'data file whose columns become the features')
    .requiredOption('--id <column>', 'record identifier column')
    .requiredOption('--event-time <column>', 'event time column')
    .option('--description <text>', 'what the group holds', '')
    .option('--tag <key=value>', 'a tag (repeatable)', collect)
    .option('--type <column=type>', `override a column's type: ${FEATURE_TYPES.join('|')} (repeatable)`, collect)
    .option('--exclude <columns>', 'comma-separated columns that are not features')
    .option('--ttl <seconds>', 'online records expire this long after their event time')
    .option('--evolve', "the group exists: add the file's new columns as features (a changed type is refused)")
    .action(async (group: string, o: StoreOptions & Record<string, string | string[] | boolean | undefined>) => {
      await withStore(o, async (fs) => {
        const types = keyValues(o.type as string[] | undefined, 'type') as Record<string, FeatureType>;
        const exclude = typeof o.exclude === 'string' ? o.exclude.split(',').map((s) => s.trim()) : [];
        const spec = {
          name: group,
          recordIdentifier: String(o.id),
          eventTime: String(o.eventTime),
          description: String(o.description ?? ''),
          tags: keyValues(o.tag as string[] | undefined, 'tag'),
          ttlSeconds: seconds(o.ttl as string | undefined, 'ttl') ?? null,
          types,
          exclude,
        };
        if (o.evolve && (await fs.registry.find(group))) {
          const probe = await fs.definitionsFromData({ file: String(o.from) }, spec);
          const r = await fs.addFeatures(group, probe);
          out(
            r.added.length
              ? `added to ${group} (version ${r.group.version}): ${r.added.map((f) => `${f.name}:${f.type}`).join(', ')}`
              : `${group}: no new features`,
          );
          return;
        }
        const g = await fs.createGroupFromData({ file: String(o.from) }, spec);
        out(`created ${g.name}: id ${g.recordIdentifier}, event time ${g.eventTime}, ${g.features.length} features`);
        for (const f of g.features) out(`  ${f.name}: ${f.type}`);
      });
    });

  common(features.command('list'))
    .description('list feature groups')
    .option('--json', 'print JSON')
    .action(async (o: StoreOptions & { json?: boolean }) => {
      await withStore(o, async (fs) => {
        const groups = await fs.listGroups();
        if (o.json) return json(groups);
        out(
          table(
            groups.map((g) => ({
              name: g.name,
              id: g.recordIdentifier,
              event_time: g.eventTime,
              features: g.features.length,
              version: g.version,
              ttl: g.ttlSeconds ?? '',
              description: g.description,
            })),
          ),
        );
      });
    });

  common(features.command('describe <group>'))
    .description('show a group: features, history of schema changes, offline batches')
    .action(async (group: string, o: StoreOptions) => {
      await withStore(o, async (fs) => json(await fs.describeGroup(group)));
    });

  common(features.command('compact <group>'))
    .description('merge the small offline files of each partition into one, and remove crash leftovers (also runs by itself at 32 files per partition)')
    .option('--min-files <n>', 'merge a partition once it has at least this many files', '2')
    .action(async (group: string, o: StoreOptions & { minFiles: string }) => {
      const minFiles = Number(o.minFiles);
      if (!Number.isInteger(minFiles) || minFiles < 2)
        throw new SluiceError('CLI_OPTION_INVALID', `--min-files "${o.minFiles}" is not a whole number of at least 2`, { hint: 'e.g. --min-files 8' });
      await withStore(o, async (fs) => {
        const r = await fs.compact(group, { minFiles });
        out(
          r.batchId
            ? `${group}: merged ${r.filesMerged} files of ${r.partitionsMerged} partitions into ${r.filesWritten} (batch ${r.batchId})`
            : `${group}: nothing to merge`,
        );
        if (r.strayFilesRemoved.length + r.stagingRemoved.length > 0)
          out(`removed ${r.strayFilesRemoved.length} stray files and ${r.stagingRemoved.length} staging folders left by crashes`);
      });
    });

  common(features.command('ingest <group> <file>'))
    .description('ingest a batch offline and online (idempotent per batch id)')
    .option('--batch-id <id>', 'idempotency key (default: a hash of the file)')
    .option('--ttl <seconds>', "override the group's TTL for this batch (or none)")
    .action(async (group: string, file: string, o: StoreOptions & { batchId?: string; ttl?: string }) => {
      await withStore(o, async (fs) => {
        const r = await fs.ingest(group, { file }, { batchId: o.batchId, ttlSeconds: seconds(o.ttl, 'ttl') });
        if (r.status === 'already_ingested') return out(`batch ${r.batchId} was already ingested into ${group} (${r.rows} rows); nothing written`);
        out(`ingested ${r.rows} records into ${group} (batch ${r.batchId})`);
        out(`  offline: ${r.files.length} file(s); online: ${r.onlineWritten} written, ${r.onlineIgnored} older than stored (ignored)`);
        if (r.duplicatesDropped) out(`  ${r.duplicatesDropped} duplicate id row(s) dropped: the latest event time of each id wins`);
        if (r.missingFeatures.length) out(`  missing features stored as null: ${r.missingFeatures.join(', ')}`);
        if (r.ignoredColumns.length) out(`  columns that are not features (not stored): ${r.ignoredColumns.join(', ')}`);
      });
    });

  common(features.command('get <group> <ids...>'))
    .description('read the latest online records')
    .action(async (group: string, ids: string[], o: StoreOptions) => {
      await withStore(o, async (fs) => {
        const res = await fs.batchGet([{ group, ids }]);
        json(res.map((r) => r.record ?? { group: r.group, id: r.id, found: false }));
        if (res.some((r) => !r.record)) process.exitCode = 2;
      });
    });

  common(features.command('delete <group> <id>'))
    .description('delete a record (online removed, deletion appended offline)')
    .option('--event-time <time>', 'when the deletion happened (default: now)')
    .action(async (group: string, id: string, o: StoreOptions & { eventTime?: string }) => {
      await withStore(o, async (fs) => {
        if (await fs.deleteRecord(group, id, { eventTime: o.eventTime })) return out(`deleted ${group}/${id}`);
        throw new SluiceError('RECORD_NOT_FOUND', `${group} has no live record with id "${id}"`, {
          httpStatus: 404,
          hint: 'check the id with sluice features get',
        });
      });
    });

  common(features.command('query <sql>'))
    .description('SQL over the offline store: each group is a view (history), <group>_latest the latest live record per id')
    .option('--json', 'print JSON')
    .action(async (sql: string, o: StoreOptions & { json?: boolean }) => {
      await withStore(o, async (fs) => {
        const rows = await fs.query(sql);
        if (o.json) return json(rows);
        out(table(rows));
      });
    });

  common(features.command('dataset'))
    .description("build a point-in-time-correct training set: feature values as of each entity row's timestamp")
    .requiredOption('--entities <file>', "entity rows: the groups' id columns and a timestamp column")
    .requiredOption('--features <refs...>', 'GROUP:feat1,feat2 (or GROUP for all features), one or more')
    .requiredOption('--out <file>', 'output .csv or .parquet')
    .option('--time-column <column>', "the entities' timestamp column (default event_time)")
    .option('--ttl <seconds>', "ignore values older than this at the entity timestamp (default: each group's TTL; none: no bound)")
    .option('--include-deleted', 'keep values from before a deletion')
    .action(async (o: StoreOptions & { entities: string; features: string[]; out: string; timeColumn?: string; ttl?: string; includeDeleted?: boolean }) => {
      await withStore(o, async (fs) => {
        const r = await fs.buildDataset(
          { file: o.entities },
          {
            features: o.features.map(parseFeatureRef),
            out: o.out,
            timeColumn: o.timeColumn,
            ttlSeconds: seconds(o.ttl, 'ttl'),
            includeDeleted: o.includeDeleted ?? false,
          },
        );
        out(`wrote ${r.rows} rows to ${o.out}: ${r.columns.join(', ')}`);
      });
    });
}
