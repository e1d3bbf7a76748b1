import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { SluiceError } from '../../core/errors.js';
import { CHAMPION } from '../../models/types.js';
import type { OnnxExportSummary } from '../../onnx/exportOnnx.js';

interface ExportFlags {
  project: string;
  json?: boolean;
  format: string;
  out: string;
  from?: string;
}

const FORMATS = ['onnx'];

/**
 * `sluice models export NAME [VERSION] --format onnx --out FILE` (or `--from DIR` for a
 * training output folder): the model and its flow's numeric steps as one ONNX graph.
 */
export function registerModelsExport(models: Command): void {
  models
    .command('export')
    .argument('[name]', 'a registered model (or use --from)')
    .argument('[version]', 'version number, alias or latest (default: champion)')
    .description('export a registered version (default: champion), or a trained folder with --from, as an ONNX graph with the flow steps it can hold')
    .option('--project <dir>', 'project folder (holds .sluice/)', '.')
    .option('--json', 'print the export summary as JSON')
    .option('--from <dir>', 'a folder written by `sluice train --out DIR` (DIR or DIR/model) instead of a registered version')
    .option('--format <format>', `the file format: ${FORMATS.join(', ')}`, 'onnx')
    .requiredOption('-o, --out <file>', 'the file to write (e.g. model.onnx)')
    .action(async (name: string | undefined, version: string | undefined, flags: ExportFlags) => {
      if (!FORMATS.includes(flags.format)) {
        throw new SluiceError('CLI_BAD_OPTION', `--format ${flags.format} is not supported`, {
          location: { field: 'format' },
          hint: `use --format ${FORMATS.join(' or ')}`,
        });
      }
      if ((name === undefined) === (flags.from === undefined)) {
        throw new SluiceError(
          'CLI_BAD_OPTION',
          name === undefined ? 'say which model to export' : 'give either a registered model name or --from DIR, not both',
          {
            hint: 'sluice models export readmission 3 --out model.onnx, or sluice models export --from out --out model.onnx',
          },
        );
      }
      const out = resolve(flags.out);
      if (
        await stat(out).then(
          (s) => s.isDirectory(),
          () => false,
        )
      ) {
        throw new SluiceError('CLI_BAD_OPTION', `--out ${flags.out} is a folder`, {
          location: { file: out },
          hint: 'name the file to write, e.g. --out model.onnx',
        });
      }
      let dir: string;
      let label: string;
      if (flags.from !== undefined) {
        dir = resolve(flags.from);
        label = flags.from;
      } else {
        const { ModelRegistry } = await import('../../models/ModelRegistry.js'); // lazily: --help must not load SQLite
        const reg = await ModelRegistry.open(resolve(flags.project));
        let v;
        try {
          v = await reg.get(name!, version ?? CHAMPION);
        } finally {
          await reg.close();
        }
        const { versionArtifact } = await import('../../models/versionArtifact.js');
        const { withProjectStores } = await import('../withProjectStores.js');
        dir = await withProjectStores(flags.project, (stores) => versionArtifact(stores.artifacts, v));
        label = `${v.name} version ${v.version}`;
      }
      const { loadArtifact } = await import('../../artifact/loadArtifact.js');
      const { exportOnnx } = await import('../../onnx/exportOnnx.js');
      const { atomicWriteFile } = await import('../../engine/atomicWriteFile.js');
      const artifact = await loadArtifact(dir);
      const { bytes, summary } = exportOnnx(artifact.model.toJSON(), artifact.fitted, { name: name ?? artifact.fitted.name });
      await atomicWriteFile(out, bytes);
      process.stdout.write(
        flags.json
          ? JSON.stringify({ model: label, out, bytes: bytes.length, ...summary }, null, 2) + '\n'
          : describeExport(label, flags.out, bytes.length, summary),
      );
    });
}

/** The summary as text: what the graph holds, what its inputs are, what to apply first. */
export function describeExport(label: string, out: string, size: number, s: OnnxExportSummary): string {
  const steps = (p: OnnxExportSummary['steps'][number]['placement']) =>
    s.steps
      .filter((x) => x.placement === p)
      .map((x) => `${x.step} ${x.kind}${x.name ? ` (${x.name})` : ''}${x.reason && p === 'unused' ? `: ${x.reason}` : ''}`);
  const lines = [
    `wrote ${out} (${size} bytes): ${label}, ${s.learner} ${s.task}${s.labels.length ? `, labels ${s.labels.join(', ')}` : ''}`,
    s.startsAfter === 0
      ? 'inputs: the raw columns, one [N, 1] tensor each:'
      : `inputs: the columns after step ${s.startsAfter} (${s.barrier!.kind}), one [N, 1] tensor each; apply steps 1-${s.startsAfter} of the fitted flow first, because step ${s.barrier!.step} cannot be expressed: ${s.barrier!.reason}`,
    ...s.inputs.map((i) => `  ${i.name}  ${i.tensor} (${i.type})`),
    `in the graph: ${steps('graph').join(', ') || 'no flow step'}`,
  ];
  const unused = steps('unused');
  if (unused.length) lines.push('not needed to predict:', ...unused.map((u) => `  ${u}`));
  lines.push('outputs:', ...s.outputs.map((o) => `  ${o.name}  ${o.tensor} ${o.shape}: ${o.description}`));
  if (s.caveats.length) lines.push('differences from Sluice:', ...s.caveats.map((c) => `  ${c}`));
  return lines.join('\n') + '\n';
}
