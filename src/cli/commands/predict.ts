import type { Command } from 'commander';

/** `sluice predict MODEL_DIR DATA --out PREDICTIONS.csv`: batch predictions with a trained model. */
export function register(program: Command): void {
  program
    .command('predict')
    .description('predict with a trained model: applies its fitted flow (serve mode), then the model')
    .argument('<model-dir>', 'the folder written by `sluice train --out DIR` (DIR or DIR/model)')
    .argument('<data>', 'CSV, Parquet or JSON-lines file of records (the target column is not needed)')
    .requiredOption('-o, --out <file>', 'predictions CSV: predicted_label and probability_<label> (regression: prediction)')
    .option('--errors <file>', 'write what was done to unreadable values and unscored rows: line, column, value, action, detail (CSV)')
    .option('--strict', 'refuse the file at the first value that cannot be read as its column type, instead of reading it as missing')
    .action(async (modelDir: string, data: string, flags: { out: string; errors?: string; strict?: boolean }) => {
      const { predictFile } = await import('../../training/predictFile.js');
      const { notesSummary } = await import('../../training/predictionNotes.js');
      const started = Date.now();
      const p = await predictFile(modelDir, data, {
        out: flags.out,
        ...(flags.errors ? { errors: flags.errors } : {}),
        ...(flags.strict ? { strict: true } : {}),
      });
      process.stderr.write(`predicted ${p.scored} of ${p.rows} rows in ${Date.now() - started} ms → ${flags.out}\n`);
      const summary = notesSummary(p.notes);
      if (summary) process.stderr.write(`${summary}${flags.errors ? ` → ${flags.errors}` : ' (list them with --errors FILE)'}\n`);
    });
}
