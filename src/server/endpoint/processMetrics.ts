import { Registry, collectDefaultMetrics } from 'prom-client';

let registry: Registry | undefined;

/**
 * Gauges prom-client names with `_total`, which the Prometheus conventions keep for counters
 * (`promtool check metrics` flags them); `nodejs_active_handles` and friends carry the same counts by type.
 */
const LEFT_OUT = new Set(['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']);

/**
 * The process and runtime metrics of this Node process in the Prometheus text format:
 * prom-client's defaults (`process_cpu_seconds_total`, `process_resident_memory_bytes`,
 * `process_open_fds`, `process_start_time_seconds`, `nodejs_eventloop_lag_seconds`,
 * `nodejs_heap_size_used_bytes`, `nodejs_gc_duration_seconds`, `nodejs_version_info`, ...), the
 * names Node.js dashboards expect, less three misnamed gauges. One registry per process, created
 * on first scrape.
 */
export async function processMetricsText(): Promise<string> {
  if (!registry) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry });
  }
  const text = await registry.metrics();
  return text
    .split('\n')
    .filter((line) => !LEFT_OUT.has((line.startsWith('# ') ? line.split(' ')[2] : line.split(/[{ ]/)[0]) ?? ''))
    .join('\n');
}
