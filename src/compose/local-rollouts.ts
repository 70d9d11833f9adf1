// The rollouts of `kus rollout list --db` with their evidence: the fleet a `kus serve` on this store recorded (its
// clusters, their updates, and the edges it served), read from the store; nothing is built or served here.
import { FleetInventory } from '../services/fleet/index.js';
import { GraphCache } from '../services/graph-cache.js';
import { servedGraphsOf } from '../services/graph-explorer.js';
import { Publisher } from '../services/publisher.js';
import { RolloutEvidenceFeed } from '../services/rollout-evidence-feed.js';
import { Rollouts } from '../services/rollouts.js';
import type { Store } from '../store/index.js';

const silent = { info() {}, warn() {}, error() {} };

/** Rollouts over an open store, with the evidence of the fleet recorded in it. */
export function localRolloutsWithEvidence(store: Store): Rollouts {
  // The inventory's served-graph questions are not asked here: an unbuilt cache stands in for the served graph.
  const graphs = new GraphCache({ load: () => store.loadGraphInput(), logger: silent, warmUp: false });
  const inventory = new FleetInventory({ repository: store.fleet, served: servedGraphsOf(graphs) });
  return new Rollouts({ publisher: new Publisher({ store, rebuild: () => undefined }), evidence: new RolloutEvidenceFeed({ fleet: inventory }) });
}
