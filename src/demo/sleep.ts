import { SluiceError } from '../core/errors.js';

/** Waits `ms`, or rejects with DEMO_STOPPED as soon as `signal` aborts (Ctrl-C). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(stopped());
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(stopped());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function stopped(): SluiceError {
  return new SluiceError('DEMO_STOPPED', 'the demo was stopped', { hint: 'run `sluice demo` again to continue in the same folder' });
}
