// Prometheus metrics of the promotion policies, read from the service's counters when scraped.
import { Counter, type Registry } from 'prom-client';
import type { PromotionPolicies } from '../../services/policies/index.js';

export function registerPolicyMetrics(registry: Registry, policies: Pick<PromotionPolicies, 'stats'>): void {
  new Counter({
    name: 'kus_policy_promotions_total',
    help: 'Versions the promotion policies added to their target channel (outcome="promoted"), or tried to and were refused ' +
      '(outcome="refused": by the build or --require-signatures; tried again later; see the audit log).',
    labelNames: ['outcome'] as const,
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ outcome: 'promoted' }, policies.stats.promoted);
      this.inc({ outcome: 'refused' }, policies.stats.refused);
    },
  });
  new Counter({
    name: 'kus_policy_runs_total',
    help: 'Runs of the promotion policies (once at start, then every --policy-interval).',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(policies.stats.runs);
    },
  });
}
