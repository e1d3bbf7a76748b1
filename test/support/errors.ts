import { expect } from 'vitest';
import { SluiceError } from '../../src/core/errors.js';

/** The SluiceError `fn` throws; fails the test when it throws nothing or something else. */
export function errorOf(fn: () => unknown): SluiceError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SluiceError);
    return e as SluiceError;
  }
  throw new Error('expected a SluiceError, nothing was thrown');
}

/** The SluiceError a promise (or an async function) rejects with; fails the test otherwise. */
export async function rejectionOf(p: Promise<unknown> | (() => Promise<unknown>)): Promise<SluiceError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(SluiceError);
    return e as SluiceError;
  }
  throw new Error('expected a SluiceError, the promise resolved');
}
