/** Moved to src/data/rowsToFrame.ts (batch prediction and the endpoint share it). */
export { levelIndexes, rowsToFrame } from '../../data/rowsToFrame.js';
