import type { Command } from 'commander';

/** `sluice predict MODEL_DIR DATA --out PREDICTIONS.csv`: batch predictions with a trained model. */
export function register(program: Command): void {
  program
    .command('predict')
    .description('predict with a trained model: applies its fitted flow (serve mode), then the model')
    .argument('<model-dir>', 'the folder written by `sluice train --out DIR` (DIR or DIR/model)')
    .argument('<data>', 'CSV, Parquet or JSON-lines file of records (the target column is not needed)')
    .requiredOption('-o, --out <file>', 'predictions CSV: predicted_label and probability_<label> (regression: prediction)')
    .action(async (modelDir: string, data: string, flags: { out: string }) => {
      const { predictFile } = await import('../../training/predictFile.js');
      const started = Date.now();
      const p = await predictFile(modelDir, data, { out: flags.out });
      process.stderr.write(`predicted ${p.rows} rows in ${Date.now() - started} ms → ${flags.out}\n`);
    });
}
