/** The file names of a training output folder. */
export const TRAIN_FILES = {
  modelDir: 'model',
  model: 'model.json',
  fittedFlow: 'fitted-flow.json',
  manifest: 'model.json',
  manifestCopy: 'manifest.json',
  leaderboard: 'leaderboard.json',
  reportJson: 'model-report.json',
  reportHtml: 'model-report.html',
} as const;
