// The fleet inventory of `kus fleet … --db`: the recorded clusters of a local store, compared with the graph built
// from that store the way `kus serve` would serve it.
import { FleetInventory } from '../services/fleet/index.js';
import { GraphCache } from '../services/graph-cache.js';
import { servedGraphsOf } from '../services/graph-explorer.js';
import { openContext, type StoreFileOptions } from './local-store.js';

export interface LocalFleet {
  inventory: FleetInventory;
  /** Builds the graph (only the problems need it); throws what the build threw. */
  buildGraph(): void;
  close(): void;
}

const silent = { info() {}, warn() {}, error() {} };

export function openLocalFleet(options: StoreFileOptions): LocalFleet {
  const context = openContext(options);
  const store = context.store;
  const graphs = new GraphCache({ load: () => store.loadGraphInput(), logger: silent, warmUp: false });
  return {
    inventory: new FleetInventory({ repository: store.fleet, served: servedGraphsOf(graphs) }),
    buildGraph: () => {
      const result = graphs.rebuild();
      if (!result.ok) throw result.error;
    },
    close: () => context.close(),
  };
}
