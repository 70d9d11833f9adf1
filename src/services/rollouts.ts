// Phased rollouts as a use case (issue 13, docs/rollouts.md): start, pause, resume, complete, abort and list, with the
// clock injected so tests (and promotion policies) decide what "now" is. Writes go through the Publisher, which
// audits them and rebuilds the served bodies; this module adds only the time.
import type { PublisherApi } from './publisher.js';
import { rolloutInfo, type RolloutAction, type RolloutHaltInput, type RolloutInfo, type RolloutStartInput } from './publish/rollouts.js';
import type { Actor, WriteResult } from './publish/types.js';
import type { RolloutEvidenceFeed } from './rollout-evidence-feed.js';
import type { RolloutEvidence } from './rollout-evidence.js';

export { ROLLOUT_ACTIONS, type RolloutAction, type RolloutHaltInfo, type RolloutInfo, type RolloutStartInput } from './publish/rollouts.js';

export interface RolloutsDeps {
  publisher: Pick<PublisherApi, 'listRollouts' | 'startRollout' | 'changeRollout' | 'haltRollout' | 'listCanaries' | 'changeCanaries'>;
  /** The clock (default: the system's). */
  now?: () => Date;
  /** The fleet's evidence about each rollout; absent when fleet recording is off (evidence is then null). */
  evidence?: RolloutEvidenceFeed;
}

/** A rollout as `GET /rollouts` and `kus rollout list` show it: with what the fleet says about it. */
export interface RolloutListItem extends RolloutInfo {
  /** null when this server records no fleet (`--no-fleet`). */
  evidence: RolloutEvidence | null;
}

export interface RolloutFilter {
  channel?: string;
  version?: string;
}

export class Rollouts {
  private readonly publisher: RolloutsDeps['publisher'];
  private readonly now: () => Date;
  private readonly feed: RolloutEvidenceFeed | undefined;

  constructor(deps: RolloutsDeps) {
    this.publisher = deps.publisher;
    this.now = deps.now ?? (() => new Date());
    this.feed = deps.evidence;
  }

  async start(actor: Actor, input: RolloutStartInput): Promise<WriteResult<RolloutInfo>> {
    return this.publisher.startRollout(actor, input, this.now().getTime());
  }

  async pause(actor: Actor, channel: string, version: string): Promise<WriteResult<RolloutInfo>> {
    return this.change(actor, channel, version, 'pause');
  }

  async resume(actor: Actor, channel: string, version: string): Promise<WriteResult<RolloutInfo>> {
    return this.change(actor, channel, version, 'resume');
  }

  async complete(actor: Actor, channel: string, version: string): Promise<WriteResult<RolloutInfo>> {
    return this.change(actor, channel, version, 'complete');
  }

  async abort(actor: Actor, channel: string, version: string): Promise<WriteResult<RolloutInfo>> {
    return this.change(actor, channel, version, 'abort');
  }

  async change(actor: Actor, channel: string, version: string, action: RolloutAction): Promise<WriteResult<RolloutInfo>> {
    return this.publisher.changeRollout(actor, channel, version, action, this.now().getTime());
  }

  /** The halting rule's pause (services/rollout-halts.ts), audited as `rollout.halt` by `actor`. */
  async halt(actor: Actor, channel: string, version: string, halt: RolloutHaltInput): Promise<WriteResult<RolloutInfo>> {
    return this.publisher.haltRollout(actor, channel, version, halt, this.now().getTime());
  }

  /** Every rollout (or those of one channel / version) with its fraction and the fleet's evidence now. */
  list(filter: RolloutFilter = {}): RolloutListItem[] {
    const now = this.now().getTime();
    const rollouts = this.publisher.listRollouts()
      .filter((r) => (filter.channel === undefined || r.channel === filter.channel) && (filter.version === undefined || r.version === filter.version));
    const canaries = new Map<string, string[]>();
    const canariesOf = (channel: string): string[] => {
      let ids = canaries.get(channel);
      if (!ids) canaries.set(channel, (ids = this.publisher.listCanaries(channel)));
      return ids;
    };
    const evidence = this.feed?.evidence(rollouts, canariesOf, now);
    return rollouts.map((r, i) => ({ ...rolloutInfo(r, now), evidence: evidence?.[i] ?? null }));
  }

  canaries(channel: string): string[] {
    return this.publisher.listCanaries(channel);
  }

  async addCanaries(actor: Actor, channel: string, ids: readonly string[]): Promise<WriteResult<string[]>> {
    return this.publisher.changeCanaries(actor, channel, 'add', ids);
  }

  async removeCanaries(actor: Actor, channel: string, ids: readonly string[]): Promise<WriteResult<string[]>> {
    return this.publisher.changeCanaries(actor, channel, 'remove', ids);
  }
}
