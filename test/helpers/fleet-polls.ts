// Polls written to a real store as `kus serve` writes them: merged by a FleetAggregator, then one transaction.
import { FleetAggregator } from '../../src/services/fleet/index.js';
import type { Store } from '../../src/store/index.js';

/** The UUID of synthetic cluster `n`. */
export const clusterUuid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/** One flush of polls (cluster number, version, time in ms) of `channel`/amd64. */
export function writePolls(store: Store, polls: ReadonlyArray<readonly [id: number, version: string, at: number]>, channel: string): void {
  const agg = new FleetAggregator();
  for (const [id, version, at] of polls) agg.record({ id: clusterUuid(id), version, channel, arch: 'amd64' }, undefined, at);
  store.fleet.record(agg.drain().entries);
}
