// Phased rollouts as a use case (issue 13, docs/rollouts.md): start, pause, resume, complete, abort and list, with the
// clock injected so tests (and promotion policies) decide what "now" is. Writes go through the Publisher, which
// audits them and rebuilds the served bodies; this module adds only the time.
import type { PublisherApi } from './publisher.js';
import { rolloutInfo, type RolloutAction, type RolloutInfo, type RolloutStartInput } from './publish/rollouts.js';
import type { Actor, WriteResult } from './publish/types.js';

export { ROLLOUT_ACTIONS, type RolloutAction, type RolloutInfo, type RolloutStartInput } from './publish/rollouts.js';

export interface RolloutsDeps {
  publisher: Pick<PublisherApi, 'listRollouts' | 'startRollout' | 'changeRollout' | 'listCanaries' | 'changeCanaries'>;
  /** The clock (default: the system's). */
  now?: () => Date;
}

export interface RolloutFilter {
  channel?: string;
  version?: string;
}

export class Rollouts {
  private readonly publisher: RolloutsDeps['publisher'];
  private readonly now: () => Date;

  constructor(deps: RolloutsDeps) {
    this.publisher = deps.publisher;
    this.now = deps.now ?? (() => new Date());
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

  /** Every rollout (or those of one channel / version) with its fraction now. */
  list(filter: RolloutFilter = {}): RolloutInfo[] {
    const now = this.now().getTime();
    return this.publisher.listRollouts()
      .filter((r) => (filter.channel === undefined || r.channel === filter.channel) && (filter.version === undefined || r.version === filter.version))
      .map((r) => rolloutInfo(r, now));
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
