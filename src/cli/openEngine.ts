import { Engine } from '../engine/Engine.js';

/**
 * The engine for CLI commands: DuckDB's memory bounded (1 GB unless SLUICE_MEMORY_LIMIT says
 * otherwise) so large files spill to disk instead of growing the process.
 */
export function openEngine(): Promise<Engine> {
  return Engine.open({
    memoryLimit: process.env.SLUICE_MEMORY_LIMIT ?? '1GB',
    threads: process.env.SLUICE_THREADS ? Number(process.env.SLUICE_THREADS) : undefined,
  });
}
