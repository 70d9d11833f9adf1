// Prometheus metrics of the fleet inventory, read from the store and the recorder when scraped. Label values are
// bounded: a channel, arch or version the served graph does not have is exported as "other" (anyone can poll with any).
import { Counter, Gauge, type Registry } from 'prom-client';
import type { FleetInventory, FleetRecorder } from '../../services/fleet/index.js';

export function registerFleetMetrics(registry: Registry, inventory: FleetInventory, recorder: FleetRecorder): void {
  new Gauge({
    name: 'kus_fleet_clusters',
    help: 'Clusters recorded by the fleet inventory, by the channel, arch and version they last reported (unknown values as "other").',
    labelNames: ['channel', 'arch', 'version'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const known = inventory.known();
      const sums = new Map<string, { channel: string; arch: string; version: string; n: number }>();
      for (const e of inventory.versions()) {
        const channel = known.channels.has(e.channel) ? e.channel : 'other';
        const arch = known.arches.has(e.arch) ? e.arch : 'other';
        const version = e.version !== null && known.versions.has(e.version) ? e.version : 'other';
        const key = `${channel} ${arch} ${version}`;
        const sum = sums.get(key);
        if (sum) sum.n += e.clusters;
        else sums.set(key, { channel, arch, version, n: e.clusters });
      }
      for (const s of sums.values()) this.set({ channel: s.channel, arch: s.arch, version: s.version }, s.n);
    },
  });
  new Gauge({
    name: 'kus_fleet_problem_clusters',
    help: 'Clusters the served graph cannot offer updates to, by reason (VersionNotFound, ChannelNotFound, ArchNotServed).',
    labelNames: ['reason'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [reason, n] of inventory.problemCounts()) this.set({ reason }, n);
    },
  });
  new Counter({
    name: 'kus_fleet_polls_total',
    help: 'Graph requests seen by the fleet inventory: recorded (valid cluster id), anonymous (no valid UUID id: counted only), ' +
      'dropped (every cluster held in memory was waiting to be written), oversized (a channel, arch or version over the length caps).',
    labelNames: ['outcome'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const s = recorder.stats;
      this.inc({ outcome: 'recorded' }, s.recorded);
      this.inc({ outcome: 'anonymous' }, s.anonymous);
      this.inc({ outcome: 'dropped' }, s.dropped);
      this.inc({ outcome: 'oversized' }, s.oversized);
    },
  });
  new Counter({
    name: 'kus_fleet_rows_written_total',
    help: 'Cluster rows written to the store for this server\'s own polls: a cluster is written when it is new or changed (version, channel, arch, ' +
      'User-Agent) or its last poll is a minute newer than the one written, so an unchanged cluster about once a minute however often it polls.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(recorder.rowsWritten);
    },
  });
  new Gauge({
    name: 'kus_fleet_held_clusters',
    help: 'Clusters the fleet recorder holds in memory (bounded; past the bound a written cluster is let go for a new one), and of them waiting to be written.',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      this.set({ state: 'held' }, recorder.held.clusters);
      this.set({ state: 'pending' }, recorder.pending);
    },
  });
  new Counter({
    name: 'kus_fleet_evicted_total',
    help: 'Written clusters the fleet recorder let go of to make room for new ones (their next poll writes them again); polls refused because none could be are counted in kus_fleet_polls_total{outcome="dropped"}.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(recorder.held.evicted);
    },
  });
}
