// A prom-client Histogram whose observations are binned into plain arrays and reach prom-client's exposition only
// when scraped. Why: Histogram.observe() validates and hashes the labels on every call, about 2 µs, which was 5% of
// the CPU of a whole graph answer (docs/architecture.md, "Serving and memory"); here an observation is a loop over the
// bounds and three additions. The exposition (names, label order, cumulative buckets, +Inf, _sum, _count) is
// prom-client's own, so /metrics reads the same.
import { Histogram, type HistogramConfiguration } from 'prom-client';

interface Bins {
  readonly labels: Record<string, string>;
  /** counts[i]: observations ≤ bounds[i] and > bounds[i - 1]; the last slot holds those above every bound. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

/** One series (one label set) of a BinnedHistogram: what the hot path keeps and calls. */
export interface BinnedSeries {
  observe(value: number): void;
}

interface ExportedValue {
  labels: Record<string, string | number>;
  sharedLabels: Record<string, string>;
  value: number;
  metricName: string;
  /** prom-client's own values carry it: null on buckets, undefined on _sum and _count (no exemplars here). */
  exemplar: null | undefined;
}

export class BinnedHistogram<T extends string> extends Histogram<T> {
  private readonly bounds: readonly number[];
  private readonly meta: { name: string; help: string; aggregator: NonNullable<HistogramConfiguration<T>['aggregator']> };
  private readonly bySeries = new Map<string, Bins>();

  constructor(config: HistogramConfiguration<T> & { buckets: readonly number[] }) {
    super({ ...config, buckets: [...config.buckets] });
    // In the given (ascending) order, as prom-client uses them.
    this.bounds = [...config.buckets];
    this.meta = { name: config.name, help: config.help, aggregator: config.aggregator ?? 'sum' };
  }

  /** The series for these label values, made on first use; `key` must identify the label set (e.g. the only value). */
  binned(key: string, labels: Record<T, string>): BinnedSeries {
    let bins = this.bySeries.get(key);
    if (bins === undefined) {
      bins = { labels: { ...labels }, counts: new Float64Array(this.bounds.length + 1), sum: 0, count: 0 };
      this.bySeries.set(key, bins);
    }
    const b = bins;
    const bounds = this.bounds;
    return {
      observe(value: number) {
        let i = 0;
        while (i < bounds.length && value > bounds[i]!) i++;
        b.counts[i]!++;
        b.sum += value;
        b.count++;
      },
    };
  }

  override reset(): void {
    // prom-client's constructor calls reset() before this class's fields exist.
    if (this.bySeries === undefined) return;
    for (const bins of this.bySeries.values()) {
      bins.counts.fill(0);
      bins.sum = 0;
      bins.count = 0;
    }
  }

  /** What the registry prints (it prefers this to get()): prom-client's own layout for a histogram. */
  getForPromString() {
    const { name, help, aggregator } = this.meta;
    const values: ExportedValue[] = [];
    for (const bins of this.bySeries.values()) {
      let cumulative = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        cumulative += bins.counts[i]!;
        values.push({ labels: { le: this.bounds[i]! }, sharedLabels: bins.labels, value: cumulative, metricName: `${name}_bucket`, exemplar: null });
      }
      values.push(
        { labels: { le: '+Inf' }, sharedLabels: bins.labels, value: bins.count, metricName: `${name}_bucket`, exemplar: null },
        { labels: {}, sharedLabels: bins.labels, value: bins.sum, metricName: `${name}_sum`, exemplar: undefined },
        { labels: {}, sharedLabels: bins.labels, value: bins.count, metricName: `${name}_count`, exemplar: undefined },
      );
    }
    return Promise.resolve({ name, help, type: 'histogram' as const, values, aggregator });
  }

  override async get() {
    const data = await this.getForPromString();
    // As prom-client's get(): one labels object per value, the series' labels after `le`. The cast: prom-client's
    // typings know no `le` label and ask for a `collect` that its own get() does not return either.
    const values = data.values.map(({ labels, sharedLabels, ...rest }) => ({ ...rest, labels: { ...labels, ...sharedLabels } }));
    return { ...data, values } as unknown as Awaited<ReturnType<Histogram<T>['get']>>;
  }
}
