import type { FeatureStore } from '../../features/FeatureStore.js';
import type { ModelRegistry } from '../../models/ModelRegistry.js';
import type { ProjectRuntime } from '../../pipeline/project/ProjectRuntime.js';
import type { AuthGate } from '../auth/AuthGate.js';
import type { ModelHost } from '../endpoint/ModelHost.js';

/** The serving side the Endpoint page shows and predicts with (what `mountEndpoint` returns has `host`). */
export interface ConsoleEndpoint {
  host: ModelHost;
  /** The registered model whose champion is served. */
  model: string;
}

/** What the console plugin needs. Pages of parts left out say so instead of failing. */
export interface ConsoleOptions {
  runtime: ProjectRuntime;
  auth: AuthGate;
  registry?: ModelRegistry | undefined;
  features?: FeatureStore | undefined;
  endpoint?: ConsoleEndpoint | undefined;
  /**
   * Path the console is mounted at, '' (the default) for `/`. The endpoint's JSON `/models`
   * routes (mountEndpoint) claim `/models` too: mount one of the two elsewhere.
   */
  base?: string | undefined;
}
