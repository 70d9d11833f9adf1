// Phased rollouts in the served graph (docs/rollouts.md): which bodies a channel with rollouts is rendered into, and
// which of them a request gets. Both the build worker (graph-render.ts) and GraphCache.rebuild render with
// renderKeysOf; the serving thread picks with RolloutSelector on every request, with its own clock.
import {
  CANARY_WARINESS, hiddenVersions, isVarying, passedMask, reachableMasks, type CanaryList, type Rollout,
} from '../graph/index.js';

/** One channel's rollouts as they cross from the build worker to the serving thread (structured-clonable). */
export interface ChannelRollouts {
  channel: string;
  /** Active and paused rollouts: bit i of a body's mask is varying[i]. At most MAX_VARYING. */
  varying: Rollout[];
  /** Aborted rollouts: hidden from every body. */
  aborted: Rollout[];
  canaries: string[];
}

/** Bit masks are 32-bit integers; a channel never needs this many rollouts at once. */
export const MAX_VARYING = 24;

/** The bodies map's key of one variant of a channel (channel names cannot hold \0, so it never names a channel). */
export const variantKey = (channel: string, mask: number): string => `${channel}\u0000${mask}`;
/** True for the keys variantKey makes: views of the graph that list channels skip them. */
export const isVariantKey = (key: string): boolean => key.includes('\u0000');

/** Channels whose bodies vary: those with an active, paused or aborted rollout. */
export function channelRollouts(rollouts: readonly Rollout[], canaries: readonly CanaryList[]): Map<string, ChannelRollouts> {
  const out = new Map<string, ChannelRollouts>();
  for (const r of rollouts) {
    if (r.state === 'completed') continue;
    let entry = out.get(r.channel);
    if (!entry) out.set(r.channel, (entry = { channel: r.channel, varying: [], aborted: [], canaries: [] }));
    if (isVarying(r)) entry.varying.push(r);
    else entry.aborted.push(r);
  }
  for (const list of canaries) {
    const entry = out.get(list.channel);
    if (entry) entry.canaries = [...list.ids];
  }
  for (const entry of out.values()) {
    // A failed build keeps the last good graph served, rather than serve a mask that cannot be represented.
    if (entry.varying.length > MAX_VARYING) throw new Error(`channel ${entry.channel} has ${entry.varying.length} active or paused rollouts; at most ${MAX_VARYING} are supported`);
  }
  return out;
}

/** A body to render for a channel: its key in the bodies map and the versions whose incoming edges it leaves out. */
export interface BodyToRender {
  key: string;
  hidden: ReadonlySet<string> | undefined;
}

/**
 * The bodies of one channel. Without rollouts: one, under the channel's name. With rollouts: under the channel's name
 * the view as a canary sees it (every rollout that is not aborted; what the console and the path explorer show), plus
 * one body per set of rollouts some cluster can pass from `now` until the next state change (k + 1 when fractions do
 * not cross).
 */
export function renderKeysOf(channel: string, rollouts: ChannelRollouts | undefined, now: number): BodyToRender[] {
  if (rollouts === undefined) return [{ key: channel, hidden: undefined }];
  const all = [...rollouts.varying, ...rollouts.aborted];
  const full = (1 << rollouts.varying.length) - 1;
  const out: BodyToRender[] = [{ key: channel, hidden: hiddenVersions(all, rollouts.varying, full) }];
  for (const mask of reachableMasks(rollouts.varying, now)) out.push({ key: variantKey(channel, mask), hidden: hiddenVersions(all, rollouts.varying, mask) });
  return out;
}

/** Picks a request's body key in a channel with rollouts; built once per generation and channel. */
export class RolloutSelector {
  private readonly varying: readonly Rollout[];
  private readonly canaries: ReadonlySet<string>;
  private readonly keys: string[];
  private readonly fallback: string;

  constructor(rollouts: ChannelRollouts) {
    this.varying = rollouts.varying;
    this.canaries = new Set(rollouts.canaries);
    this.keys = [];
    for (let mask = 0; mask < 1 << Math.min(rollouts.varying.length, 12); mask++) this.keys.push(variantKey(rollouts.channel, mask));
    // Mask 0 (no varying rollout passed) is always rendered: a set that was not rendered gets the most cautious body.
    this.fallback = variantKey(rollouts.channel, 0);
  }

  /**
   * The key for a cluster of this wariness (services/wariness.ts) and canonical id at `now` (Unix ms). The caller
   * falls back to keyFallback when no body is stored under the key (a set not reachable when the bodies were rendered).
   */
  key(wariness: number, clusterId: string | undefined, now: number): string {
    const w = clusterId !== undefined && this.canaries.size > 0 && this.canaries.has(clusterId) ? CANARY_WARINESS : wariness;
    const mask = passedMask(this.varying, w, now);
    return this.keys[mask] ?? variantKey(this.varying[0]!.channel, mask);
  }

  get keyFallback(): string {
    return this.fallback;
  }
}
