/**
 * A small Prometheus text-format registry: counters, gauges and histograms with labels. Written
 * here rather than pulled in because the daemon needs a handful of series and nothing else.
 */
export class Metrics {
  private readonly counters = new Map<string, { help: string; values: Map<string, number> }>();
  private readonly histograms = new Map<
    string,
    { help: string; buckets: number[]; series: Map<string, { counts: number[]; sum: number; count: number }> }
  >();
  private readonly gauges = new Map<
    string,
    { help: string; read: () => Promise<Map<string, number>> | Map<string, number> }
  >();

  /** Declares a counter. */
  counter(name: string, help: string): void {
    this.counters.set(name, { help, values: new Map() });
  }

  /** Adds `by` to a counter series. */
  inc(name: string, labels: Record<string, string> = {}, by = 1): void {
    const c = this.counters.get(name);
    if (!c) return;
    const key = labelKey(labels);
    c.values.set(key, (c.values.get(key) ?? 0) + by);
  }

  /** Declares a histogram with bucket upper bounds (seconds or any unit). */
  histogram(name: string, help: string, buckets: number[]): void {
    this.histograms.set(name, { help, buckets, series: new Map() });
  }

  /** Records one observation. */
  observe(name: string, value: number, labels: Record<string, string> = {}): void {
    const h = this.histograms.get(name);
    if (!h) return;
    const key = labelKey(labels);
    let s = h.series.get(key);
    if (!s) {
      s = { counts: h.buckets.map(() => 0), sum: 0, count: 0 };
      h.series.set(key, s);
    }
    for (let i = 0; i < h.buckets.length; i++) if (value <= h.buckets[i]!) s.counts[i]!++;
    s.sum += value;
    s.count++;
  }

  /** Declares a gauge read at scrape time (label key → value). */
  gauge(name: string, help: string, read: () => Promise<Map<string, number>> | Map<string, number>): void {
    this.gauges.set(name, { help, read });
  }

  /** The exposition text. */
  async render(): Promise<string> {
    const out: string[] = [];
    for (const [name, c] of this.counters) {
      out.push(`# HELP ${name} ${c.help}`, `# TYPE ${name} counter`);
      for (const [key, v] of c.values) out.push(`${name}${key} ${v}`);
    }
    for (const [name, g] of this.gauges) {
      out.push(`# HELP ${name} ${g.help}`, `# TYPE ${name} gauge`);
      for (const [key, v] of await g.read()) out.push(`${name}${key} ${v}`);
    }
    for (const [name, h] of this.histograms) {
      out.push(`# HELP ${name} ${h.help}`, `# TYPE ${name} histogram`);
      for (const [key, s] of h.series) {
        const inner = key.slice(1, -1);
        const sep = inner ? ',' : '';
        for (const [i, b] of h.buckets.entries())
          out.push(`${name}_bucket{${inner}${sep}le="${b}"} ${s.counts[i]}`);
        out.push(
          `${name}_bucket{${inner}${sep}le="+Inf"} ${s.count}`,
          `${name}_sum${key} ${s.sum}`,
          `${name}_count${key} ${s.count}`,
        );
      }
    }
    return `${out.join('\n')}\n`;
  }
}

/** Renders labels as `{a="x",b="y"}` (empty string for none). */
export function labelKey(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return `{${entries.map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`).join(',')}}`;
}
