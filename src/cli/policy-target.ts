// What the promotion-policy commands act on: a running server's admin API (--server/--token), or a local store
// (--db), whose policies a `kus serve` on the same file runs from its next run on.
import { openContext } from '../compose/index.js';
import { PromotionPolicies, type PolicyInfo, type PolicyInput, type PolicyStatus } from '../services/policies/index.js';
import { Publisher } from '../services/publisher.js';
import { AdminClient, segment } from './admin-client.js';
import { storeOptions, type CommandContext } from './command.js';
import { localActor } from './local-target.js';
import { chooseTarget } from './target-choice.js';
import type { Outcome } from './target.js';

export interface PolicyTarget {
  readonly where: string;
  set(input: PolicyInput): Promise<Outcome<PolicyInfo>>;
  remove(target: string, source: string): Promise<Outcome<PolicyInfo>>;
  list(): Promise<Outcome<PolicyStatus[]>>;
}

/** Opens the target, runs fn, closes the local store (removing one this command created, when fn failed). */
export async function withPolicyTarget<T>(ctx: CommandContext, create: boolean, fn: (target: PolicyTarget) => Promise<T>): Promise<T> {
  const choice = chooseTarget(ctx);
  if (choice.kind === 'server') {
    const api = new AdminClient(choice.options);
    return fn({
      where: `server ${api.server}`,
      set: (input) => api.put(`/channels/${segment(input.target)}/policies/${segment(input.source)}`, { after: input.after, ...(input.rollout !== undefined ? { rollout: input.rollout } : {}) }),
      remove: (target, source) => api.delete(`/channels/${segment(target)}/policies/${segment(source)}`),
      list: () => api.get('/policies'),
    });
  }
  const context = openContext(storeOptions(ctx, create));
  // No server runs here: nothing to rebuild, and the policies are only stored (a `kus serve` on this file runs them).
  const publisher = new Publisher({ store: context.store, rebuild: () => undefined });
  const policies = new PromotionPolicies({ store: context.store, publisher, rollouts: true });
  const actor = localActor();
  let result: T;
  try {
    result = await fn({
      where: `store ${JSON.stringify(context.file)}`,
      set: async (input) => policies.set(actor, input),
      remove: async (target, source) => policies.remove(actor, target, source),
      list: async () => ({ value: policies.list(), warnings: [] }),
    });
  } catch (err) {
    context.discard();
    throw err;
  }
  context.close();
  return result;
}
