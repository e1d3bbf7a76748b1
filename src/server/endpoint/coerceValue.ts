/** Moved to src/core/coerceValue.ts (batch prediction and the endpoint share it). */
export { BAD_VALUE, coerceValue } from '../../core/coerceValue.js';
