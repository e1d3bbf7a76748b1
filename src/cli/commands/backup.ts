import type { Command } from 'commander';
// Heavy modules load inside the actions, so `sluice --help` starts fast (test/cli/startup.test.ts).
const lib = async () => ({
  ...(await import('../../pipeline/project/loadProject.js')),
  ...(await import('../../backup/backupProject.js')),
  ...(await import('../../backup/restoreProject.js')),
});

const kib = (n: number) => (n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`);

/** `sluice backup DIR` and `sluice restore DIR`: the project's state databases (and, if asked, its artifacts). */
export function register(program: Command): void {
  program
    .command('backup')
    .description('back up the state databases consistently (safe while sluice serve runs), with a manifest of artifacts and stores')
    .argument('<dir>', 'a new (or empty) folder for the backup')
    .option('-p, --project <dir>', 'project folder (default: the nearest with a sluice.yaml)')
    .option('--with-artifacts', 'also copy the model artifacts, the local offline store and the reports (default: only list them)')
    .option('--json', 'print the manifest as JSON')
    .action(async (dir: string, o: { project?: string; withArtifacts?: boolean; json?: boolean }) => {
      const { loadProject, backupProject } = await lib();
      const m = await backupProject(loadProject(o.project), dir, { withArtifacts: o.withArtifacts === true });
      if (o.json) {
        process.stdout.write(`${JSON.stringify(m, null, 2)}\n`);
        return;
      }
      const lines = [`backup written to ${dir}`];
      for (const db of m.databases)
        lines.push(
          `  ${db.path}: ${kib(db.bytes)}, sha256 ${db.sha256.slice(0, 12)}…, schema ${Object.entries(db.schema)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}`,
        );
      lines.push(`  ${m.models.length} model version folder(s) ${m.withArtifacts ? 'copied' : 'listed (not copied; --with-artifacts copies them)'}`);
      if (m.withArtifacts) lines.push(`  ${m.files.length} file(s) copied, ${kib(m.files.reduce((n, f) => n + f.bytes, 0))}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
  program
    .command('restore')
    .description('put a backup back: verifies its hashes and schema first; replaced files are moved aside, never deleted')
    .argument('<dir>', 'a folder written by sluice backup')
    .option('-p, --project <dir>', 'project folder (default: the nearest with a sluice.yaml)')
    .option('--force', 'replace existing state (moved into a replaced-<time>/ folder beside it), even while sluice serve runs')
    .option('--json', 'print JSON')
    .action(async (dir: string, o: { project?: string; force?: boolean; json?: boolean }) => {
      const { loadProject, restoreProject } = await lib();
      const r = await restoreProject(loadProject(o.project), dir, { force: o.force === true });
      if (o.json) {
        const { manifest: _m, ...rest } = r;
        process.stdout.write(`${JSON.stringify({ ...rest, backupCreatedAt: r.manifest.createdAt }, null, 2)}\n`);
        return;
      }
      const lines = [`restored the backup of ${r.manifest.createdAt}:`];
      for (const db of r.databases) lines.push(`  ${db.path}`);
      if (r.manifest.withArtifacts) lines.push(`  ${r.files.restored} file(s) restored, ${r.files.unchanged} already there`);
      for (const f of r.replaced) lines.push(`  what it replaced is in ${f}`);
      if (r.newerModels.length)
        lines.push(
          `  ${r.newerModels.length} model version folder(s) are newer than the backup (${r.newerModels.slice(0, 5).join(', ')}): "sluice models recover" registers them again`,
        );
      if (r.missingModels.length)
        lines.push(
          `  warning: ${r.missingModels.length} model version folder(s) the backup lists are not on disk (${r.missingModels.slice(0, 5).join(', ')}); their versions cannot be served`,
        );
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
