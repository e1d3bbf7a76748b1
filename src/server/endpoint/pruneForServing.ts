/** Moved to src/flow/pruneForServing.ts (batch prediction and the endpoint share it). */
export { pruneForServing } from '../../flow/pruneForServing.js';
