import type { FeatureRegistry } from './FeatureRegistry.js';
import type { OfflineStore } from './OfflineStore.js';
import type { OnlineStore } from './online/OnlineStore.js';

/** The three parts of a feature store that ingestion, compaction and recovery work on. */
export interface StoreParts {
  registry: FeatureRegistry;
  offline: OfflineStore;
  online: OnlineStore;
}
