// Prometheus metrics of watch mode, read from the watcher's counters when scraped (the watcher knows nothing of them).
import { Counter, Gauge, type Registry } from 'prom-client';
import type { RepositoryStats } from '../../services/watch.js';

/** What the metrics read: Watcher.stats(). */
export interface WatchStatsSource {
  stats(): RepositoryStats[];
}

export function registerWatchMetrics(registry: Registry, watcher: WatchStatsSource): void {
  const counter = (name: string, help: string, value: (s: RepositoryStats) => number): void => {
    new Counter({
      name,
      help,
      labelNames: ['repository'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const s of watcher.stats()) this.inc({ repository: s.repository }, value(s));
      },
    });
  };
  /** A gauge labelled with the repository; `value` null leaves that repository without a sample. */
  const gauge = (name: string, help: string, value: (s: RepositoryStats) => number | null): void => {
    new Gauge({
      name,
      help,
      labelNames: ['repository'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const s of watcher.stats()) {
          const v = value(s);
          if (v !== null) this.set({ repository: s.repository }, v);
        }
      },
    });
  };
  counter('kus_watch_scrapes_total', 'Scrapes of a watched repository (tag list and new tags), failed ones included.', (s) => s.scrapes);
  counter('kus_watch_scrape_errors_total', 'Scrapes that failed: the tag list or some tag could not be read (retried with backoff).', (s) => s.failures);
  counter('kus_watch_releases_ingested_total', 'Releases watch mode added to the store.', (s) => s.ingested);
  new Counter({
    name: 'kus_watch_tags_skipped_total',
    help: 'Tags skipped once per image: signature (cosign tags), not-a-release (no valid release-metadata), refused (by the publisher).',
    labelNames: ['repository', 'reason'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const s of watcher.stats()) {
        for (const [reason, n] of Object.entries(s.skipped)) this.inc({ repository: s.repository, reason }, n);
      }
    },
  });
  gauge('kus_watch_last_success_timestamp_seconds', 'Unix time of the last scrape of a repository that read every tag.',
    (s) => (s.lastSuccessAt ? s.lastSuccessAt.getTime() / 1000 : null));
  gauge('kus_watch_consecutive_failures', 'Failed scrapes since the last success; the next scrape waits the interval times 2^n (at most an hour).',
    (s) => s.consecutiveFailures);
}
