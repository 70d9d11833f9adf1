// Planning a promotion policy's promotion (docs/policies.md) as ONE write: the version added to the target channel,
// its rollout started when the policy asks for one, and the promotion recorded, in one transaction and one served
// generation, so no cluster ever sees the promoted release without its rollout.
import type { GraphInput } from '../../store/index.js';
import { planAddToChannel } from './channels.js';
import type { Plan } from './plan.js';
import { planStartRollout, type RolloutInfo } from './rollouts.js';
import type { ChannelInfo } from './types.js';

export interface PromotionInput {
  target: string;
  source: string;
  /** The source channel's entry, added to target as it is. */
  version: string;
  /** Unix ms: when source listed it, and the policy's delay (for the audit row). */
  listedSince: number;
  afterMs: number;
  /** e.g. 48h: the rollout started with the promotion; absent: none. */
  rollout?: string;
}

export interface PromotionValue {
  channel: ChannelInfo;
  rollout: RolloutInfo | null;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Unchanged when target lists the version already (someone else promoted it: nothing is recorded). A rollout that
 * cannot be started refuses the whole promotion, which is then tried again like any refused one.
 */
export function planPromotion(current: GraphInput, input: PromotionInput, now: number): Plan<PromotionValue> {
  const added = planAddToChannel(current, input.target, input.version);
  if (!added.changed) return { ...added, value: { channel: added.value, rollout: null } };
  const started = input.rollout === undefined ? undefined : planStartRollout(added.candidate, { channel: input.target, version: input.version, duration: input.rollout }, now);
  const report = { target: input.target, source: input.source, version: input.version };
  return {
    value: { channel: added.value, rollout: started?.value ?? null },
    warnings: [...added.warnings, ...(started?.warnings ?? [])],
    changed: true,
    candidate: started?.candidate ?? added.candidate,
    write: (store) => {
      added.write(store);
      started?.write(store);
      store.policies.record({ ...report, at: now, outcome: 'promoted', error: null });
    },
    before: added.before,
    after: added.after,
    also: [
      ...(started ? [{ action: 'rollout.start', target: `${started.value.channel}/${started.value.version}`, before: started.before ?? null, after: started.after ?? null }] : []),
      {
        action: 'policy.promote', target: `${input.target} ${input.version}`,
        before: { channel: input.source, version: input.version, listedSince: iso(input.listedSince), afterSeconds: input.afterMs / 1000 },
        after: { channel: input.target, version: input.version, at: iso(now), rolloutSeconds: started ? started.value.durationSeconds : null },
      },
    ],
  };
}
