// What the rollout commands ask: a running server's admin API (--server/--token), or the Rollouts service on a local
// store (--db), whose next `kus serve` serves the change.
import { localRolloutsWithEvidence, openContext } from '../compose/index.js';
import { Publisher } from '../services/publisher.js';
import { Rollouts, type RolloutAction, type RolloutInfo, type RolloutListItem, type RolloutStartInput } from '../services/rollouts.js';
import { AdminClient } from './admin-client.js';
import { storeOptions, type CommandContext } from './command.js';
import { localActor } from './local-target.js';
import { chooseTarget } from './target-choice.js';
import type { Outcome } from './target.js';

export interface RolloutTarget {
  where: string;
  list(): Promise<Outcome<RolloutListItem[]>>;
  start(input: RolloutStartInput): Promise<Outcome<RolloutInfo>>;
  change(channel: string, version: string, action: RolloutAction): Promise<Outcome<RolloutInfo>>;
  canaries(channel: string): Promise<Outcome<string[]>>;
  changeCanaries(channel: string, op: 'add' | 'remove', ids: string[]): Promise<Outcome<string[]>>;
}

const s = encodeURIComponent;

/** Opens the target, runs fn, closes the local store whatever happened. */
export async function withRolloutTarget<T>(ctx: CommandContext, fn: (target: RolloutTarget) => Promise<T>): Promise<T> {
  const choice = chooseTarget(ctx);
  if (choice.kind === 'server') {
    const api = new AdminClient(choice.options);
    return fn({
      where: choice.options.server,
      list: () => api.get('/rollouts'),
      start: (input) => api.post('/rollouts', input),
      change: (channel, version, action) => api.post(`/rollouts/${s(channel)}/${s(version)}/${action}`, undefined),
      canaries: (channel) => api.get(`/channels/${s(channel)}/canaries`),
      changeCanaries: (channel, op, ids) => api.post(`/channels/${s(channel)}/canaries/${op}`, { ids }),
    });
  }
  const context = openContext(storeOptions(ctx, false));
  try {
    // No server runs in this process: `kus serve` on this store renders the change when it starts.
    const rollouts = new Rollouts({ publisher: new Publisher({ store: context.store, rebuild: () => undefined }) });
    const actor = localActor();
    return await fn({
      where: `store ${context.file}`,
      // With the evidence of the fleet a `kus serve` on this store recorded.
      list: async () => ({ value: localRolloutsWithEvidence(context.store).list(), warnings: [] }),
      start: (input) => rollouts.start(actor, input),
      change: (channel, version, action) => rollouts.change(actor, channel, version, action),
      canaries: async (channel) => ({ value: rollouts.canaries(channel), warnings: [] }),
      changeCanaries: (channel, op, ids) => (op === 'add' ? rollouts.addCanaries(actor, channel, ids) : rollouts.removeCanaries(actor, channel, ids)),
    });
  } finally {
    context.close();
  }
}
