// Prometheus metrics of the rollout halting rule, read from its counters and last check when scraped.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { RolloutHalts } from '../../services/rollout-halts.js';

/** The evidence kinds exported (snake case of the fields of GET /rollouts evidence). */
const KINDS = [['eligible', 'eligible'], ['saw_edge', 'sawEdge'], ['updated', 'updated'], ['stalled', 'stalled']] as const;

export function registerRolloutMetrics(registry: Registry, halts: Pick<RolloutHalts, 'stats'>): void {
  new Counter({
    name: 'kus_rollout_halts_total',
    help: 'Rollouts paused by their --halt-on-stalled rule (audited as rollout.halt by rule:halt-on-stalled), by channel.',
    labelNames: ['channel'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [channel, n] of halts.stats.halts) this.inc({ channel }, n);
    },
  });
  new Counter({
    name: 'kus_rollout_checks_total',
    help: 'Checks of the rollout halting rule (once at start, then every --rollout-check-interval).',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(halts.stats.runs);
    },
  });
  new Gauge({
    name: 'kus_rollout_evidence',
    help: 'Clusters per active or paused rollout at the last check (docs/rollouts.md): kind="eligible" ran a previous version since '
      + 'the start, "saw_edge" were shown the edge, "updated" moved to the release, "stalled" saw it and then went silent or elsewhere.',
    labelNames: ['channel', 'version', 'kind'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const { channel, version, evidence } of halts.stats.evidence) {
        for (const [kind, field] of KINDS) this.set({ channel, version, kind }, evidence[field]);
      }
    },
  });
}
