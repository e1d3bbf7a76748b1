/** Latency buckets in seconds: fine below 10 ms, where a healthy endpoint lives. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** One sample a collector contributes: labels and a value. */
export interface GaugeSample {
  labels: Record<string, string>;
  value: number;
}

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

interface Collector {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  collect: () => GaugeSample[];
}

/** Prometheus label value escaping: backslash, double quote and newline. */
function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labelText(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${esc(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function key(model: string, version: string): string {
  return `${model}\u0000${version}`;
}

/**
 * The endpoint's counters in memory, rendered in the Prometheus text exposition format
 * (version 0.0.4) by {@link ServingMetrics.render}. Per model version: requests by status code,
 * errors by error code, a latency histogram, records predicted. Other modules add gauges (the
 * pipeline's executions by state) with {@link ServingMetrics.addCollector}, evaluated at scrape time.
 */
export class ServingMetrics {
  private readonly requests = new Map<string, Map<number, number>>();
  private readonly errors = new Map<string, Map<string, number>>();
  private readonly latency = new Map<string, Histogram>();
  private readonly records = new Map<string, number>();
  private readonly collectors: Collector[] = [];
  private swaps = 0;
  private loaded: { model: string; version: string } | undefined;

  /** Records one finished request. `model`/`version` are empty when no model was loaded. */
  observe(model: string, version: string, status: number, seconds: number, records: number, errorCode?: string): void {
    const k = key(model, version);
    let byStatus = this.requests.get(k);
    if (!byStatus) this.requests.set(k, (byStatus = new Map()));
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    if (errorCode !== undefined) {
      let byCode = this.errors.get(k);
      if (!byCode) this.errors.set(k, (byCode = new Map()));
      byCode.set(errorCode, (byCode.get(errorCode) ?? 0) + 1);
    }
    let h = this.latency.get(k);
    if (!h) this.latency.set(k, (h = { counts: new Array(LATENCY_BUCKETS.length).fill(0), sum: 0, count: 0 }));
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) if (seconds <= LATENCY_BUCKETS[i]!) h.counts[i]!++;
    h.sum += seconds;
    h.count++;
    if (records > 0) this.records.set(k, (this.records.get(k) ?? 0) + records);
  }

  /** Notes which model version is loaded (and counts swaps). */
  setLoaded(model: string | undefined, version: string | undefined): void {
    if (this.loaded) this.swaps++;
    this.loaded = model === undefined ? undefined : { model, version: version ?? '' };
  }

  /**
   * Adds a metric computed at scrape time, e.g.
   * `metrics.addCollector('sluice_executions', 'Pipeline executions by state', 'gauge', () => store.countByState())`.
   */
  addCollector(name: string, help: string, type: 'gauge' | 'counter', collect: () => GaugeSample[]): void {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`invalid Prometheus metric name "${name}"`);
    this.collectors.push({ name, help, type, collect });
  }

  /** The Prometheus text format. Content type: `text/plain; version=0.0.4; charset=utf-8`. */
  render(): string {
    const out: string[] = [];
    const split = (k: string): { model: string; version: string } => {
      const [model = '', version = ''] = k.split('\u0000');
      return { model, version };
    };
    out.push('# HELP sluice_invocations_total Requests to /invocations by model version and HTTP status.', '# TYPE sluice_invocations_total counter');
    for (const [k, m] of this.requests)
      for (const [status, n] of m) out.push(`sluice_invocations_total${labelText({ ...split(k), status: String(status) })} ${n}`);
    out.push(
      '# HELP sluice_invocation_errors_total Failed requests to /invocations by model version and error code.',
      '# TYPE sluice_invocation_errors_total counter',
    );
    for (const [k, m] of this.errors) for (const [code, n] of m) out.push(`sluice_invocation_errors_total${labelText({ ...split(k), code })} ${n}`);
    out.push('# HELP sluice_invocation_duration_seconds Time from request received to response ready.', '# TYPE sluice_invocation_duration_seconds histogram');
    for (const [k, h] of this.latency) {
      const l = split(k);
      LATENCY_BUCKETS.forEach((b, i) => {
        out.push(`sluice_invocation_duration_seconds_bucket${labelText({ ...l, le: String(b) })} ${h.counts[i]}`);
      });
      out.push(`sluice_invocation_duration_seconds_bucket${labelText({ ...l, le: '+Inf' })} ${h.count}`);
      out.push(`sluice_invocation_duration_seconds_sum${labelText(l)} ${h.sum}`);
      out.push(`sluice_invocation_duration_seconds_count${labelText(l)} ${h.count}`);
    }
    out.push('# HELP sluice_records_predicted_total Records predicted by model version.', '# TYPE sluice_records_predicted_total counter');
    for (const [k, n] of this.records) out.push(`sluice_records_predicted_total${labelText(split(k))} ${n}`);
    out.push('# HELP sluice_model_loaded The model version the endpoint serves (1).', '# TYPE sluice_model_loaded gauge');
    if (this.loaded) out.push(`sluice_model_loaded${labelText(this.loaded)} 1`);
    out.push(
      '# HELP sluice_model_swaps_total Times the served model was replaced.',
      '# TYPE sluice_model_swaps_total counter',
      `sluice_model_swaps_total ${this.swaps}`,
    );
    for (const c of this.collectors) {
      out.push(`# HELP ${c.name} ${c.help}`, `# TYPE ${c.name} ${c.type}`);
      let samples: GaugeSample[];
      try {
        samples = c.collect();
      } catch {
        // A failing collector must not break the scrape of everything else.
        samples = [];
      }
      for (const s of samples) out.push(`${c.name}${labelText(s.labels)} ${s.value}`);
    }
    return out.join('\n') + '\n';
  }
}
