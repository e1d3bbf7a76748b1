import { ARTIFACT_DIR } from '../artifact/artifactFiles.js';

/** The file names of a training output folder: the artifact folder (src/artifact/artifactFiles.ts names its files) and what `sluice train` writes beside it. */
export const TRAIN_FILES = {
  modelDir: ARTIFACT_DIR,
  leaderboard: 'leaderboard.json',
  reportJson: 'model-report.json',
  reportHtml: 'model-report.html',
} as const;
