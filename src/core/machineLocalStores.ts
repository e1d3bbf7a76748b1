import type { SluiceConfig } from './config.js';

/** The object stores that default to a folder of this machine when sluice.yaml names none. */
const OBJECT_STORES = ['artifacts', 'reports', 'archive', 'batches', 'offline'] as const;

/**
 * The stores of a config that live on this machine only: object stores of type `local` (or
 * unset) and the online store of type `sqlite` (or unset). With the state on PostgreSQL, workers
 * and replicas on other machines cannot read them unless the folder is shared (a network mount);
 * `sluice serve` and `sluice worker` say so when they start. Each entry names the setting and
 * what to use instead.
 */
export function machineLocalStores(config: Pick<SluiceConfig, 'stores'>): string[] {
  const stores = config.stores ?? {};
  const local = OBJECT_STORES.filter((k) => (stores[k]?.type ?? 'local') === 'local').map((k) => `stores.${k} (local folder; use type s3)`);
  if ((stores.online?.type ?? 'sqlite') === 'sqlite') local.push('stores.online (SQLite file; use type redis)');
  return local;
}
