// What the fleet commands ask: a running server's admin API (--server/--token), or a local store (--db) whose graph
// is built here, in-process, to compare the recorded clusters with (as the server would serve it).
import { openLocalFleet } from '../compose/index.js';
import {
  parseFleetDuration, type FleetCluster, type FleetProblem, type FleetUpdate, type FleetVersionsEntry,
} from '../services/fleet/index.js';
import { AdminClient } from './admin-client.js';
import { storeOptions, type CommandContext } from './command.js';
import { chooseTarget } from './target-choice.js';
import type { Outcome } from './target.js';

export interface FleetTarget {
  versions(since: string | undefined): Promise<Outcome<FleetVersionsEntry[]>>;
  clusters(filter: { version?: string | undefined; channel?: string | undefined; since?: string | undefined }): Promise<Outcome<FleetCluster[]>>;
  updates(since: string | undefined): Promise<Outcome<FleetUpdate[]>>;
  problems(unseen: string | undefined): Promise<Outcome<FleetProblem[]>>;
}

const read = <T>(value: T): Outcome<T> => ({ value, warnings: [] });
const ms = (value: string | undefined, flag = '--since'): number | undefined => (value === undefined ? undefined : parseFleetDuration(value, flag));

/** Opens the target, runs fn, closes the local store whatever happened. */
export async function withFleetTarget<T>(ctx: CommandContext, fn: (target: FleetTarget) => Promise<T>): Promise<T> {
  const choice = chooseTarget(ctx);
  if (choice.kind === 'server') {
    const api = new AdminClient(choice.options);
    return fn({
      versions: (since) => api.get('/fleet/versions', { since }),
      clusters: (f) => api.get('/fleet/clusters', { version: f.version, channel: f.channel, since: f.since }),
      updates: (since) => api.get('/fleet/updates', { since }),
      problems: (unseen) => api.get('/fleet/problems', { unseen }),
    });
  }
  const local = openLocalFleet(storeOptions(ctx, false));
  try {
    const inventory = local.inventory;
    return await fn({
      versions: async (since) => read(inventory.versions(ms(since))),
      clusters: async (f) => read(inventory.clusters({ version: f.version, channel: f.channel, sinceMs: ms(f.since) })),
      updates: async (since) => read(inventory.updates(ms(since))),
      problems: async (unseen) => {
        const unseenMs = ms(unseen, '--unseen');
        // Only the problems need the graph; built once, as `kus serve` would build it from this store.
        local.buildGraph();
        return read(inventory.problems(unseenMs));
      },
    });
  } finally {
    local.close();
  }
}
