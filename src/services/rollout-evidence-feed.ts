// Feeds the pure rollout evidence (rollout-evidence.ts) from what a server knows: the fleet inventory's recorded
// clusters and updates of the rollout's channel since its start, and the edges into its release that the channel's
// served graph has had (fleet_target_offers, noted by the build worker as it renders: no body is parsed on this thread).
import { rolloutFraction, keyIgnoringBuild, parseSemver, type Rollout } from '../graph/index.js';
import type { FleetClusterRow } from '../store/index.js';
import { rolloutEvidence, type RolloutEvidence } from './rollout-evidence.js';
import { warinessOf } from './wariness.js';
import { CANARY_WARINESS } from '../graph/index.js';

/** The parts of the fleet inventory (services/fleet/inventory.ts) the evidence needs. */
export interface RolloutFleet {
  /** The channel's clusters seen and updates observed since `since`, and every edge its served graph has had. */
  channelActivity(channel: string, since: number): {
    clusters: readonly FleetClusterRow[];
    updates: ReadonlyArray<{ clusterId: string; from: string; to: string; at: number }>;
    edges: ReadonlyArray<{ from: string; to: string }>;
  };
}

/**
 * A cluster still reporting the previous version and silent for this long has stopped polling (default 1 h). A
 * cluster-version operator polls every few minutes, during an update too, so an hour of silence after the edge was
 * shown is worth a look; `kus serve --rollout-silent-after` changes it.
 */
export const DEFAULT_ROLLOUT_SILENT_MS = 3600_000;

const baseOf = (version: string): string => {
  const v = parseSemver(version);
  return v ? keyIgnoringBuild(v) : version;
};

/**
 * The rollout's fraction at a past time t, as far as the stored rollout tells it: an active or paused rollout's
 * line since its (last) start, frozen at the paused value once paused. A resume moves the start forward (so that
 * the fraction continues), which makes times before the last resume read lower than they were: a cluster is then
 * counted as not having seen the edge, never the reverse. Completed: 1; aborted: 0.
 */
export function fractionOverTime(r: Rollout): (t: number) => number {
  if (r.state === 'completed' || r.state === 'aborted') return () => rolloutFraction(r, 0);
  const line = { ...r, state: 'active' as const, pausedFraction: null };
  const cap = r.state === 'paused' ? r.pausedFraction ?? 0 : 1;
  return (t) => Math.min(cap, rolloutFraction(line, t));
}

export class RolloutEvidenceFeed {
  private readonly fleet: RolloutFleet;
  readonly silentAfterMs: number;

  constructor(deps: { fleet: RolloutFleet; silentAfterMs?: number }) {
    this.fleet = deps.fleet;
    this.silentAfterMs = deps.silentAfterMs ?? DEFAULT_ROLLOUT_SILENT_MS;
  }

  /**
   * The evidence of each rollout now; canaries by channel (wariness 0). The previous versions are those with an edge
   * into the release that the channel has served (an edge blocked since still names a version clusters came from).
   */
  evidence(rollouts: readonly Rollout[], canaries: (channel: string) => readonly string[], now: number): RolloutEvidence[] {
    return rollouts.map((r) => {
      const { clusters, updates, edges } = this.fleet.channelActivity(r.channel, r.start);
      // As clusters report them: with and without +arch.
      const sources = new Set<string>();
      for (const e of edges) {
        if (baseOf(e.to) !== r.version) continue;
        sources.add(e.from);
        sources.add(baseOf(e.from));
      }
      const canary = new Set(canaries(r.channel));
      return rolloutEvidence({
        channel: r.channel, target: r.version, sources, start: r.start, now, fractionAt: fractionOverTime(r),
        wariness: (id) => (canary.has(id) ? CANARY_WARINESS : warinessOf(id)), silentAfterMs: this.silentAfterMs, clusters, updates,
      });
    });
  }
}
