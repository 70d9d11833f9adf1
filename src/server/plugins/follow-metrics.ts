// Prometheus metrics of a replica (`kus serve --follow`), read from the follower's counters when scraped.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { FollowStats } from '../../services/follow.js';

/** What the metrics read: Follower.stats(). */
export interface FollowStatsSource {
  stats(): FollowStats;
}

export function registerFollowMetrics(registry: Registry, follower: FollowStatsSource): void {
  new Gauge({
    name: 'kus_replica_lag_seconds',
    help: 'Seconds since the last successful sync with the primary (since the start before the first one); alert when it exceeds a few intervals.',
    labelNames: ['primary'] as const,
    registers: [registry],
    collect() {
      const s = follower.stats();
      this.set({ primary: s.primary }, s.lagSeconds);
    },
  });
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
  new Gauge({
    name: 'kus_replica_consecutive_failures',
    help: 'Failed syncs since the last successful one.',
    labelNames: ['primary'] as const,
    registers: [registry],
    collect() {
      const s = follower.stats();
      this.set({ primary: s.primary }, s.consecutiveFailures);
    },
  });
  new Gauge({
    name: 'kus_replica_last_success_timestamp_seconds',
    help: 'Unix time of the last successful sync with the primary.',
    labelNames: ['primary'] as const,
    registers: [registry],
    collect() {
      const s = follower.stats();
      this.reset();
      if (s.lastSuccessAt) this.set({ primary: s.primary }, s.lastSuccessAt.getTime() / 1000);
    },
  });
}
