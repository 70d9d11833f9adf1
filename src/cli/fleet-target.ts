// What the fleet commands ask: a running server's admin API (--server/--token), or a local store (--db) whose graph
// is built here, in-process, to compare the recorded clusters with (as the server would serve it).
import { openContext } from '../compose/index.js';
import {
  FleetInventory, parseFleetDuration, type FleetCluster, type FleetProblem, type FleetUpdate, type FleetVersionsEntry,
} from '../services/fleet/index.js';
import { GraphCache } from '../services/graph-cache.js';
import { servedGraphsOf } from '../services/graph-explorer.js';
import { AdminClient } from './admin-client.js';
import { storeOptions, type CommandContext } from './command.js';
import { chooseTarget } from './target-choice.js';
import type { Outcome } from './target.js';

export interface FleetTarget {
  versions(since: string | undefined): Promise<Outcome<FleetVersionsEntry[]>>;
  clusters(filter: { version?: string | undefined; channel?: string | undefined; since?: string | undefined }): Promise<Outcome<FleetCluster[]>>;
  updates(since: string | undefined): Promise<Outcome<FleetUpdate[]>>;
  problems(): Promise<Outcome<FleetProblem[]>>;
}

const read = <T>(value: T): Outcome<T> => ({ value, warnings: [] });
const ms = (since: string | undefined): number | undefined => (since === undefined ? undefined : parseFleetDuration(since, '--since'));

/** Opens the target, runs fn, closes the local store whatever happened. */
export async function withFleetTarget<T>(ctx: CommandContext, fn: (target: FleetTarget) => Promise<T>): Promise<T> {
  const choice = chooseTarget(ctx);
  if (choice.kind === 'server') {
    const api = new AdminClient(choice.options);
    return fn({
      versions: (since) => api.get('/fleet/versions', { since }),
      clusters: (f) => api.get('/fleet/clusters', { version: f.version, channel: f.channel, since: f.since }),
      updates: (since) => api.get('/fleet/updates', { since }),
      problems: () => api.get('/fleet/problems'),
    });
  }
  const context = openContext(storeOptions(ctx, false));
  try {
    const store = context.store;
    const graphs = new GraphCache({ load: () => store.loadGraphInput(), logger: { info() {}, warn() {}, error() {} }, warmUp: false });
    const inventory = new FleetInventory({ repository: store.fleet, served: servedGraphsOf(graphs) });
    return await fn({
      versions: async (since) => read(inventory.versions(ms(since))),
      clusters: async (f) => read(inventory.clusters({ version: f.version, channel: f.channel, sinceMs: ms(f.since) })),
      updates: async (since) => read(inventory.updates(ms(since))),
      problems: async () => {
        // Only the problems need the graph; built once, as `kus serve` would build it from this store.
        const result = graphs.rebuild();
        if (!result.ok) throw result.error;
        return read(inventory.problems());
      },
    });
  } finally {
    context.close();
  }
}
