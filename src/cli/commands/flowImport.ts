import { access, readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { formatError, SluiceError } from '../../core/errors.js';
import type { ImportNote } from '../../flow/import/importWranglerFlow.js';
// Heavy modules load inside the actions, so `sluice --help` starts fast (test/cli/startup.test.ts).

/** `sluice flow import FILE.flow --output FLOW.yaml`: adds the subcommand to the `flow` group. */
export function registerFlowImport(flow: Command): void {
  flow
    .command('import')
    .argument('<file>', 'SageMaker Data Wrangler flow (.flow, JSON)')
    .requiredOption('--output <file>', 'the Sluice flow to write (.flow.yaml), written atomically')
    .option('--name <name>', 'the flow name (default: the file name without .flow)')
    .option('--force', 'overwrite the output file if it exists')
    .description('Convert a SageMaker Data Wrangler .flow file into a Sluice flow')
    .addHelpText(
      'after',
      '\nCustom code steps (Python, PySpark, SQL) become placeholders that `sluice flow validate` rejects\nuntil you replace them with built-in steps. See docs/import.md.\n\nExample:\n  sluice flow import HealthCareUncleanWrangler.flow --output diabetes.flow.yaml\n',
    )
    .action(async (file: string, opts: { output: string; name?: string; force?: boolean }) => {
      const [{ atomicWriteFile }, { importWranglerFlowText }, { parseFlow }, { importTable }, { renderTable }] = await Promise.all([
        import('../../engine/atomicWriteFile.js'),
        import('../../flow/import/importWranglerFlow.js'),
        import('../../flow/loadFlow.js'),
        import('../../flow/import/importTable.js'),
        import('../renderTable.js'),
      ]);
      const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
        throw new SluiceError('FILE_NOT_FOUND', `cannot read ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`, {
          location: { file },
          hint: 'check the path of the .flow file (Data Wrangler saves it next to your Studio notebooks)',
        });
      });
      const result = importWranglerFlowText(text, { file, name: opts.name });
      if (!opts.force && (await exists(opts.output))) {
        throw new SluiceError('FILE_EXISTS', `${opts.output} already exists; the import does not overwrite it`, {
          location: { file: opts.output },
          hint: 'choose another --output, or add --force to replace it',
        });
      }
      await atomicWriteFile(opts.output, result.yaml);
      const placeholders = result.notes.filter((n) => n.level === 'placeholder').length;
      const warnings = result.notes.filter((n) => n.level === 'warning').length;
      process.stdout.write(
        `${placeholders ? '!' : '✓'} wrote ${opts.output}: ${result.flow.steps.length} steps` +
          `${placeholders ? `, ${placeholders} placeholder${placeholders > 1 ? 's' : ''} to replace` : ''}` +
          `${warnings ? `, ${warnings} warning${warnings > 1 ? 's' : ''}` : ''}\n`,
      );
      const table = importTable(result.nodes);
      process.stdout.write(
        `${renderTable(
          ['node', 'operator', 'step'],
          table.rows.map((r) => ({ node: r[0], operator: r[1], step: r[2] })),
          60,
        )}\n${table.coverage}\n`,
      );
      for (const n of result.notes) process.stdout.write(renderNote(n));
      if (placeholders) {
        process.stdout.write(
          `\nReplace the placeholder${placeholders > 1 ? 's' : ''} (kind: todo_custom_code) in ${opts.output}, then run: sluice flow validate ${opts.output}\n`,
        );
      } else {
        // Without placeholders the flow should validate as written; say at once if it does not.
        try {
          parseFlow(result.yaml, opts.output);
          process.stdout.write(`✓ ${opts.output} is a valid flow\n`);
        } catch (e) {
          process.stdout.write(`! ${opts.output} does not validate yet; fix it by hand:\n${formatError(e).replace(/^/gm, '  ')}\n`);
        }
      }
    });
}

/** One note for the terminal; a placeholder's code follows it, indented. */
export function renderNote(n: ImportNote): string {
  const head = `  ${n.level === 'placeholder' ? 'PLACEHOLDER' : n.level}: ${n.message}\n`;
  if (!n.code) return head;
  return `${head}${n.code
    .replace(/\n+$/, '')
    .split('\n')
    .map((l) => `      | ${l}`)
    .join('\n')}\n`;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
