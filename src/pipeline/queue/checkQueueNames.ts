import { SluiceError } from '../../core/errors.js';

/**
 * The queues a worker was asked to take runs from (`sluice worker --queues train,report`),
 * checked against the project's: an unknown name is an error listing the valid ones.
 */
export function checkQueueNames(asked: readonly string[], valid: readonly string[]): string[] {
  const names = [...new Set(asked.map((q) => q.trim()).filter(Boolean))];
  if (names.length === 0)
    throw new SluiceError('QUEUE_UNKNOWN', '--queues names no queue', { location: { field: '--queues' }, hint: `valid queues: ${valid.join(', ')}` });
  const unknown = names.filter((q) => !valid.includes(q));
  if (unknown.length > 0)
    throw new SluiceError('QUEUE_UNKNOWN', `unknown queue${unknown.length > 1 ? 's' : ''} ${unknown.map((q) => JSON.stringify(q)).join(', ')}`, {
      location: { field: '--queues' },
      hint: `valid queues (one per activity kind): ${valid.join(', ')}`,
    });
  return names;
}
