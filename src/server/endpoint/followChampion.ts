import type { ModelRegistry } from '../../models/ModelRegistry.js';
import { CHAMPION, type ModelVersion } from '../../models/types.js';
import type { FallbackNote, ModelHost } from './ModelHost.js';
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
  /** Told when the host serves another version because the champion cannot be loaded (serving undefined: none loads). */
  onFallback?: (note: FallbackNote) => void;
  /** A champion that failed to load is tried again after this many ms (default 30,000). */
  retryMs?: number;
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
 * the champion alias unloads (the endpoint answers 503). A champion that fails to load (a
 * corrupt artifact) is the fallback case: the version already serving keeps serving, or, at
 * start, the previous champions are tried newest first; `host.fallback` says so (and `/ping`),
 * and the champion is tried again every `retryMs`. 503 only when none loads.
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

  /** The champion version that failed to load and when, so a broken artifact is retried every `retryMs`, not every poll. */
  let failed: { version: number; at: number } | undefined;
  const retryMs = opts.retryMs ?? 30_000;

  const syncOnce = async (): Promise<void> => {
    if (stopped) return;
    const champ = await registry.champion(name);
    if (!champ) {
      host.fallback = undefined;
      if (target !== undefined || host.current?.name === name) {
        target = undefined;
        await host.unload();
      }
      return;
    }
    if (champ.version === target) return;
    if (failed?.version === champ.version && Date.now() - failed.at < retryMs) return;
    try {
      await host.load(() => load(champ));
      target = champ.version;
      failed = undefined;
      host.fallback = undefined;
    } catch (e) {
      failed = { version: champ.version, at: Date.now() };
      opts.onError?.(e, champ);
      await fallBack(champ, e);
    }
  };

  /**
   * The champion cannot be loaded: keep serving the version already loaded (an earlier champion),
   * else load the champions it replaced, newest first; 503 only when none loads.
   */
  const fallBack = async (champ: ModelVersion, error: unknown): Promise<void> => {
    const reason = error instanceof Error ? error.message : String(error);
    let serving = host.current?.name === name ? host.current.version : undefined;
    if (serving === undefined) {
      for (const v of await registry.previousChampions(name)) {
        try {
          const prev = await registry.get(name, v);
          await host.load(() => load(prev));
          serving = String(v);
          break;
        } catch (e) {
          opts.onError?.(e, await registry.get(name, v));
        }
      }
    }
    target = serving === undefined ? undefined : Number(serving);
    host.fallback = { champion: String(champ.version), reason, serving };
    opts.onFallback?.(host.fallback);
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
