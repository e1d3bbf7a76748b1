import type { ModelRegistry } from '../../models/ModelRegistry.js';
import { CHAMPION, type ModelVersion } from '../../models/types.js';
import type { ModelHost } from './ModelHost.js';
import type { Predictor } from './Predictor.js';

export interface FollowChampionOptions {
  /**
   * Also check the registry every this many ms, for changes made by another process (the CLI,
   * the pipeline worker). Default 1000; 0 turns polling off (in-process changes still apply).
   */
  pollMs?: number;
  /** Told about a failed load; the previous model keeps serving. */
  onError?: (e: unknown, version: ModelVersion) => void;
  /** Told when reading the registry failed (the database is locked or gone); retried next poll. */
  onRegistryError?: (e: unknown) => void;
}

export interface ChampionFollower {
  /** Resolves once the current champion (if any) is loaded. */
  ready: Promise<void>;
  /** Brings the host in line with the registry now. */
  sync(): Promise<void>;
  stop(): void;
}

/**
 * Keeps a {@link ModelHost} serving the registry's champion of one model: a promotion or a
 * rollback loads that version with `load` (fully, while the old one serves) and swaps. Removing
 * the champion alias unloads (the endpoint answers 503). A failed load keeps the old model.
 *
 * @example
 * const follower = followChampion(registry, 'readmission', host, (v) => loadPredictor(v));
 * await follower.ready;
 */
export function followChampion(
  registry: ModelRegistry,
  name: string,
  host: ModelHost,
  load: (v: ModelVersion) => Promise<Predictor>,
  opts: FollowChampionOptions = {},
): ChampionFollower {
  let stopped = false;
  let chain: Promise<void> = Promise.resolve();
  /** The version loaded or being loaded, so a poll during a slow load does not load it twice. */
  let target: number | undefined;

  const syncOnce = async (): Promise<void> => {
    if (stopped) return;
    const champ = registry.champion(name);
    if (!champ) {
      if (target !== undefined || host.current?.name === name) {
        target = undefined;
        await host.unload();
      }
      return;
    }
    if (champ.version === target) return;
    target = champ.version;
    try {
      await host.load(() => load(champ));
    } catch (e) {
      target = host.current?.name === name ? Number(host.current.version) : undefined;
      opts.onError?.(e, champ);
    }
  };
  // Never rejects: a poll runs from a timer, and an unhandled rejection would end the process.
  const safeSync = async (): Promise<void> => {
    try {
      await syncOnce();
    } catch (e) {
      opts.onRegistryError?.(e);
    }
  };
  const sync = (): Promise<void> => {
    chain = chain.then(safeSync);
    return chain;
  };

  const unsubscribe = registry.onChange((e) => {
    if (e.name === name && e.alias === CHAMPION) void sync();
  });
  const pollMs = opts.pollMs ?? 1000;
  const timer = pollMs > 0 ? setInterval(() => void sync(), pollMs) : undefined;
  timer?.unref();

  return {
    ready: sync(),
    sync,
    stop: () => {
      stopped = true;
      unsubscribe();
      if (timer) clearInterval(timer);
    },
  };
}
