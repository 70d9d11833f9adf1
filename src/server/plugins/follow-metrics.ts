// Prometheus metrics of a replica (`kus serve --follow`), read from the follower's counters when scraped.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { FollowStats } from '../../services/follow.js';

/** What the metrics read: Follower.stats(). */
export interface FollowStatsSource {
  stats(): FollowStats;
}

export function registerFollowMetrics(registry: Registry, follower: FollowStatsSource): void {
  /** A gauge labelled with the primary; `value` null leaves it without a sample. */
  const gauge = (name: string, help: string, value: (s: FollowStats) => number | null): void => {
    new Gauge({
      name,
      help,
      labelNames: ['primary'] as const,
      registers: [registry],
      collect() {
        const s = follower.stats();
        const v = value(s);
        this.reset();
        if (v !== null) this.set({ primary: s.primary }, v);
      },
    });
  };
  gauge('kus_replica_lag_seconds',
    'Seconds since the last successful sync with the primary (since the start before the first one); alert when it exceeds a few intervals.',
    (s) => s.lagSeconds);
  new Counter({
    name: 'kus_replica_syncs_total',
    help: 'Successful syncs with the primary: result="updated" swapped in a new snapshot, "unchanged" got 304.',
    labelNames: ['primary', 'result'] as const,
    registers: [registry],
    collect() {
      const s = follower.stats();
      this.reset();
      this.inc({ primary: s.primary, result: 'updated' }, s.updates);
      this.inc({ primary: s.primary, result: 'unchanged' }, s.unchanged);
    },
  });
  new Counter({
    name: 'kus_replica_sync_failures_total',
    help: 'Syncs that failed (primary unreachable, an error answer, or an archive that did not check out); the last good snapshot stays served.',
    labelNames: ['primary'] as const,
    registers: [registry],
    collect() {
      const s = follower.stats();
      this.reset();
      this.inc({ primary: s.primary }, s.failures);
    },
  });
  gauge('kus_replica_consecutive_failures', 'Failed syncs since the last successful one.', (s) => s.consecutiveFailures);
  gauge('kus_replica_last_success_timestamp_seconds', 'Unix time of the last successful sync with the primary.',
    (s) => (s.lastSuccessAt ? s.lastSuccessAt.getTime() / 1000 : null));
}
