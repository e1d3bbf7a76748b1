import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
// Heavy modules load inside the actions, so `sluice --help` starts fast (test/cli/startup.test.ts).
import type { ModelRegistry } from '../../models/ModelRegistry.js';
import type { GarbageReport } from '../../models/collectOrphans.js';
import { CHAMPION, checkStatus, type ModelLineage, type ModelVersion } from '../../models/types.js';
import { SluiceError, isSluiceError } from '../../core/errors.js';
import { refuseReservedKeys, refuseReservedOptionKey } from '../../core/refuseReservedKeys.js';
import { jsonPath } from '../../core/zodIssues.js';
import { registerModelsExport } from './modelsExport.js';
import { withProjectStores } from '../withProjectStores.js';

interface Common {
  project: string;
  json?: boolean;
}
interface Change extends Common {
  by?: string;
  comment?: string;
}

/** Commander collector for repeatable `key=value` options (`option` names it in errors). */
const collectPairs =
  (option: string) =>
  (value: string, previous: Array<[string, string]>): Array<[string, string]> => {
    const i = value.indexOf('=');
    if (i <= 0) throw new SluiceError('CLI_BAD_OPTION', `"${value}" is not key=value`, { hint: 'write e.g. --metric auc=0.71 or --tag team=care' });
    refuseReservedOptionKey(option, value); // kept in an object, which would drop it
    return [...previous, [value.slice(0, i), value.slice(i + 1)]];
  };

function defaultUser(): string {
  try {
    return process.env.SLUICE_USER ?? userInfo().username;
  } catch {
    return 'unknown';
  }
}

async function withRegistry<T>(opts: Common, fn: (reg: ModelRegistry) => T | Promise<T>, open: { allowMissingState?: boolean } = {}): Promise<T> {
  const { ModelRegistry } = await import('../../models/ModelRegistry.js');
  const dir = resolve(opts.project);
  // A project (sluice.yaml) whose stores.state says where the registry is; a bare folder is SQLite.
  const reg = existsSync(join(dir, 'sluice.yaml'))
    ? await (await import('../../pipeline/project/openProjectRegistry.js')).openProjectRegistry(
        (await import('../../pipeline/project/loadProject.js')).loadProject(dir),
        open,
      )
    : await ModelRegistry.open(dir, undefined, open);
  try {
    return await fn(reg);
  } finally {
    await reg.close();
  }
}

function gcText(r: GarbageReport, orphans: boolean): string {
  const verb = r.dryRun ? 'would remove' : 'removed';
  const lines = r.leftovers.map((p) => `${verb} ${p}`);
  for (const p of r.unregistered)
    lines.push(orphans ? `${verb} ${p} (no database row)` : `kept ${p}: no database row (run "sluice models recover", or gc --orphans to remove it)`);
  return lines.length ? lines.join('\n') : 'nothing to collect';
}

function print(opts: Common, value: unknown, text: () => string): void {
  process.stdout.write((opts.json ? JSON.stringify(value, null, 2) : text()) + '\n');
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function metricsText(m: Record<string, number>): string {
  return Object.entries(m)
    .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(4)}`)
    .join(' ');
}

function describeVersion(v: ModelVersion): string {
  const l = v.lineage;
  const lines = [
    `${v.name} version ${v.version}${v.aliases.length ? ` (${v.aliases.join(', ')})` : ''}`,
    `  status      ${v.status}${v.statusBy ? ` by ${v.statusBy} at ${v.statusAt}` : ''}${v.statusComment ? `: ${v.statusComment}` : ''}`,
    `  registered  ${v.createdAt} by ${v.createdBy ?? 'unknown'}`,
    `  artifact    ${v.artifactPath}`,
    `              ${v.artifactHash}`,
  ];
  if (v.description) lines.push(`  description ${v.description}`);
  if (Object.keys(v.metrics).length) lines.push(`  metrics     ${metricsText(v.metrics)}`);
  if (Object.keys(v.tags).length)
    lines.push(
      `  tags        ${Object.entries(v.tags)
        .map(([k, t]) => `${k}=${t}`)
        .join(' ')}`,
    );
  if (l.trainingBatch)
    lines.push(
      `  batch       ${l.trainingBatch.file} ${l.trainingBatch.contentHash}${l.trainingBatch.executionId ? ` (execution ${l.trainingBatch.executionId})` : ''}`,
    );
  if (l.fittedFlow) lines.push(`  flow        ${l.fittedFlow}`);
  if (l.insightsReport) lines.push(`  report      ${l.insightsReport}`);
  if (l.approval) lines.push(`  approved    by ${l.approval.by} at ${l.approval.at}${l.approval.comment ? `: ${l.approval.comment}` : ''}`);
  if (l.seed !== undefined) lines.push(`  seed        ${l.seed}`);
  if (l.trainingConfig) lines.push(`  config      ${JSON.stringify(l.trainingConfig)}`);
  return lines.join('\n');
}

/**
 * `sluice models list|show|history|approve|reject|promote|rollback|delete`: the registry from the
 * terminal. Changes are recorded with `--by` (default: $SLUICE_USER or the login name).
 */
export function register(program: Command): void {
  const models = program.command('models').description('model registry: versions, approval, champion, rollback, batch predictions');
  const common = (c: Command): Command => c.option('--project <dir>', 'project folder (holds .sluice/)', '.').option('--json', 'print JSON instead of text');
  const change = (c: Command): Command =>
    common(c).option('--by <who>', 'who makes the change (recorded)', defaultUser()).option('-m, --comment <text>', 'why (recorded)');

  common(models.command('list').description('every model with its versions and aliases')).action(async (opts: Common) => {
    await withRegistry(opts, async (reg) => {
      const list = await reg.list();
      print(opts, list, () =>
        list.length === 0
          ? 'no models registered yet'
          : table([
              ['MODEL', 'VERSIONS', 'LATEST', 'ALIASES'],
              ...list.map((m) => [
                m.name,
                String(m.versions),
                String(m.latestVersion),
                Object.entries(m.aliases)
                  .map(([a, v]) => `${a}=${v}`)
                  .join(' '),
              ]),
            ]),
      );
    });
  });

  common(models.command('show <name> [version]').description('the versions of a model, or one version (number, alias or latest) in detail')).action(
    async (name: string, version: string | undefined, opts: Common) => {
      await withRegistry(opts, async (reg) => {
        if (version !== undefined) {
          const v = await reg.get(name, version);
          print(opts, { ...v, history: await reg.history(name, v.version) }, () => describeVersion(v));
          return;
        }
        const versions = await reg.versions(name);
        print(opts, { name, aliases: await reg.aliases(name), versions }, () =>
          table([
            ['VERSION', 'STATUS', 'ALIASES', 'CREATED', 'METRICS'],
            ...versions.map((v) => [String(v.version), v.status, v.aliases.join(','), v.createdAt, metricsText(v.metrics)]),
          ]),
        );
      });
    },
  );

  common(models.command('history <name>').description('every recorded change of a model: who, when, what')).action(async (name: string, opts: Common) => {
    await withRegistry(opts, async (reg) => {
      await reg.versions(name);
      const h = await reg.history(name);
      print(opts, h, () =>
        table([
          ['AT', 'BY', 'VERSION', 'CHANGE', 'COMMENT'],
          ...h.map((e) => [
            e.at,
            e.by,
            String(e.version ?? ''),
            `${e.kind}${e.alias ? ` ${e.alias}` : ''}${e.from !== null || e.to !== null ? ` ${e.from ?? '-'} -> ${e.to ?? '-'}` : ''}`,
            e.comment ?? '',
          ]),
        ]),
      );
    });
  });

  for (const [cmd, status] of [
    ['approve', 'approved'],
    ['reject', 'rejected'],
  ] as const) {
    change(models.command(`${cmd} <name> <version>`).description(`mark a version ${status}`)).action(async (name: string, version: string, opts: Change) => {
      await withRegistry(opts, async (reg) => {
        const v = await reg.setStatus(name, version, status, opts.by ?? defaultUser(), opts.comment);
        print(opts, v, () => `${name} version ${v.version} is ${v.status}`);
      });
    });
  }

  change(models.command('promote <name> <version>').description('point an alias (default champion) at a version'))
    .option('--alias <alias>', 'the alias to move', CHAMPION)
    .option('--allow-schema-change', "make it champion although its required inputs differ from the champion's (clients must send the new columns)")
    .action(async (name: string, version: string, opts: Change & { alias: string; allowSchemaChange?: boolean }) => {
      await withRegistry(opts, async (reg) => {
        // On a machine without the version's folder, it comes from stores.artifacts, checked.
        const { fetchForPromotion } = await import('../../models/fetchForAliasChange.js');
        await withProjectStores(opts.project, (stores) => fetchForPromotion(reg, stores.artifacts, name, version, opts.alias));
        const v = await reg.promote(name, version, opts.alias, opts.by ?? defaultUser(), opts.comment, { allowSchemaChange: opts.allowSchemaChange === true });
        print(opts, v, () => `${name} ${opts.alias} -> version ${v.version}`);
      });
    });

  change(models.command('rollback <name>').description('move champion back to the previous champion')).action(async (name: string, opts: Change) => {
    await withRegistry(opts, async (reg) => {
      const before = (await reg.champion(name))?.version;
      const { fetchForRollback } = await import('../../models/fetchForAliasChange.js');
      await withProjectStores(opts.project, (stores) => fetchForRollback(reg, stores.artifacts, name));
      const v = await reg.rollback(name, opts.by ?? defaultUser(), opts.comment);
      print(opts, v, () => `${name} champion: version ${before} -> version ${v.version}`);
    });
  });

  change(models.command('register <name> <artifactDir>').description('copy an artifact folder into the registry as the next version of a model'))
    .option('--status <status>', 'pending, approved or rejected', 'pending')
    .option('--metric <name=value>', 'a metric, repeatable', collectPairs('metric'), [])
    .option('--tag <key=value>', 'a tag, repeatable', collectPairs('tag'), [])
    .option('--lineage <file>', 'a JSON file with the lineage (trainingBatch, fittedFlow, insightsReport, approval, trainingConfig, seed)')
    .action(
      async (
        name: string,
        artifactDir: string,
        opts: Change & { status: string; metric: Array<[string, string]>; tag: Array<[string, string]>; lineage?: string },
      ) => {
        const metrics: Record<string, number> = {};
        for (const [k, v] of opts.metric) {
          const x = Number(v);
          if (v.trim() === '' || !Number.isFinite(x))
            throw new SluiceError('MODEL_BAD_METRIC', `metric "${k}" is "${v}", not a number`, {
              location: { field: `metric ${k}` },
              hint: 'write --metric auc=0.71',
            });
          metrics[k] = x;
        }
        let lineage: ModelLineage | undefined;
        if (opts.lineage) {
          try {
            const text = await readFile(opts.lineage, 'utf8');
            lineage = JSON.parse(text) as ModelLineage;
            const file = opts.lineage;
            refuseReservedKeys(lineage, text, { what: file, locate: (path) => ({ file, field: jsonPath(path) }) });
          } catch (e) {
            if (isSluiceError(e)) throw e;
            throw new SluiceError('MODEL_BAD_LINEAGE', `cannot read the lineage JSON ${opts.lineage}: ${(e as Error).message}`, {
              location: { file: opts.lineage },
              hint: 'pass a JSON object such as {"seed": 42, "trainingBatch": {...}}',
            });
          }
        }
        await withRegistry(opts, async (reg) => {
          const v = await reg.register(resolve(artifactDir), {
            name,
            status: checkStatus(opts.status),
            metrics,
            tags: Object.fromEntries(opts.tag),
            ...(lineage ? { lineage } : {}),
            ...(opts.comment ? { description: opts.comment } : {}),
            by: opts.by ?? defaultUser(),
          });
          const { publishVersion } = await import('../../models/versionArtifact.js');
          await withProjectStores(opts.project, (stores) => publishVersion(stores.artifacts, v));
          print(opts, v, () => `registered ${name} version ${v.version} (${v.status}) at ${v.artifactPath}`);
        });
      },
    );

  common(models.command('predict <name> [version]').description('batch predictions for a data file with a registered version (default: champion)'))
    .requiredOption('-i, --input <file>', 'raw records: CSV, Parquet or JSON lines, the columns of the data as it arrived')
    .requiredOption('-o, --output <file>', 'the input plus predicted_label, probability_<label>, prediction_error (.csv or .parquet)')
    .option('--errors <file>', 'write what was done to unreadable values and unscored rows: line, column, value, action, detail (CSV)')
    .option('--strict', 'refuse the file at the first value that cannot be read as its column type, instead of reading it as missing')
    .action(async (name: string, version: string | undefined, opts: Common & { input: string; output: string; errors?: string; strict?: boolean }) => {
      const v = await withRegistry(opts, (reg) => reg.get(name, version ?? CHAMPION));
      // The one batch path, shared with `sluice predict` (src/training/predictFile.ts).
      const { predictFile } = await import('../../training/predictFile.js');
      const { notesSummary } = await import('../../training/predictionNotes.js');
      const progress = process.stderr.isTTY && !opts.json;
      const { versionArtifact } = await import('../../models/versionArtifact.js');
      const dir = await withProjectStores(opts.project, (stores) => versionArtifact(stores.artifacts, v));
      const r = await predictFile(dir, resolve(opts.input), {
        out: resolve(opts.output),
        layout: 'appended',
        ...(opts.errors ? { errors: resolve(opts.errors) } : {}),
        ...(opts.strict ? { strict: true } : {}),
        onProgress: (done, total) => {
          if (progress) process.stderr.write(`\rscoring ${done}/${total} rows`);
        },
      });
      if (progress) process.stderr.write('\n');
      const failed = r.rows - r.scored;
      const summary = notesSummary(r.notes);
      print(
        opts,
        {
          model: v.name,
          version: v.version,
          output: resolve(opts.output),
          rows: r.rows,
          scored: r.scored,
          failed,
          notes: r.notes.length,
          labels: r.labels ?? [],
        },
        () =>
          `${r.scored} of ${r.rows} rows scored with ${v.name} version ${v.version} -> ${opts.output}${failed ? ` (${failed} rows could not be predicted: see prediction_error)` : ''}${summary ? `\n${summary}${opts.errors ? ` -> ${opts.errors}` : ' (list them with --errors FILE)'}` : ''}`,
      );
    });

  registerModelsExport(models);

  common(models.command('gc').description('remove what interrupted registers and deletes left behind (never runs by itself)'))
    .option('--dry-run', 'list what would be removed; remove nothing')
    .option('--orphans', 'also remove version folders the database has no row for (see models recover first)')
    .action(async (opts: Common & { dryRun?: boolean; orphans?: boolean }) => {
      await withRegistry(opts, async (reg) => {
        const r = await reg.collectGarbage({ dryRun: opts.dryRun === true, orphans: opts.orphans === true });
        print(opts, r, () => gcText(r, opts.orphans === true));
      });
    });

  common(models.command('recover').description('register again the version folders the database has no row for, from their manifests'))
    .option('--dry-run', 'list what would be recovered; change nothing')
    .option('--by <who>', 'who recovers (recorded)', defaultUser())
    .action(async (opts: Common & { dryRun?: boolean; by?: string }) => {
      await withRegistry(
        opts,
        async (reg) => {
          const r = await reg.recover(opts.by ?? defaultUser(), { dryRun: opts.dryRun === true });
          print(opts, r, () => {
            if (r.recovered.length === 0) return 'every version folder has its row: nothing to recover';
            const verb = opts.dryRun ? 'would recover' : 'recovered';
            const lines = r.recovered.map(
              (v) =>
                `${verb} ${v.name} version ${v.version} (${v.status}, from ${v.source === 'manifest' ? 'its manifest' : 'the artifact folder'})${v.notes.length ? `: ${v.notes.join('; ')}` : ''}`,
            );
            for (const a of r.aliases) lines.push(`${opts.dryRun ? 'would set' : 'set'} ${a.name} ${a.alias} -> version ${a.version}`);
            return lines.join('\n');
          });
        },
        { allowMissingState: true },
      );
    });

  change(models.command('delete <name> <version>').description('delete a version and its artifacts (never the champion)')).action(
    async (name: string, version: string, opts: Change) => {
      await withRegistry(opts, async (reg) => {
        const v = await reg.get(name, version);
        await reg.delete(name, v.version, opts.by ?? defaultUser(), opts.comment);
        print(opts, { deleted: { name, version: v.version } }, () => `deleted ${name} version ${v.version} and ${v.artifactPath}`);
      });
    },
  );
}
