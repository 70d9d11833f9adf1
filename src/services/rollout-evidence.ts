// What the fleet inventory says about one rollout (issue 13, "halting on evidence"): pure, from the recorded clusters
// and their version changes, with the rollout's fraction over time, each cluster's wariness and the versions that
// have an edge to the target passed in, so it is tested on a synthetic fleet (and the rollouts service feeds it).

/** A cluster as the fleet inventory records it (store/fleet-repository.ts FleetClusterRow). */
export interface EvidenceCluster {
  id: string;
  channel: string;
  /** The version of its last poll (null: it sent none). */
  version: string | null;
  /** Unix ms of its last poll. */
  lastSeen: number;
}

/** A recorded change of a cluster's reported version. */
export interface EvidenceUpdate {
  clusterId: string;
  from: string;
  to: string;
  at: number;
}

export interface EvidenceInput {
  channel: string;
  /** The rollout's release: the version the edges lead to. */
  target: string;
  /** The versions with an edge to target in the channel (the rollout's "previous versions"). */
  sources: ReadonlySet<string>;
  /** Rollout start, Unix ms: only what happened since counts. */
  start: number;
  now: number;
  /** The rollout's fraction at a time (0 before start; frozen while paused). */
  fractionAt: (t: number) => number;
  /** A cluster's wariness in (0, 1] (0 for a canary of the channel). */
  wariness: (id: string) => number;
  /** A cluster that has not polled for this long has stopped polling. */
  silentAfterMs: number;
  clusters: readonly EvidenceCluster[];
  updates: readonly EvidenceUpdate[];
}

export interface RolloutEvidence {
  /** Clusters of the channel that ran a previous version at some time since start. */
  eligible: number;
  /** Of those, how many the edge to target was shown to (wariness ≤ fraction when they last polled on a previous version). */
  sawEdge: number;
  /** Of those that saw it, how many moved from a previous version to target since start. */
  updated: number;
  /** Of those that saw it, how many then stopped polling, or moved from a previous version to another version. */
  stalled: number;
  /** The stalled clusters' ids, for people (at most 100, sorted). */
  stalledIds: string[];
}

export const STALLED_IDS_MAX = 100;

/**
 * A cluster counts as **eligible** when it ran a previous version (one of `sources`) since the rollout began: it runs
 * one now, or an update away from one was observed at or after `start`. It **saw the edge** when its wariness was at
 * most the fraction at the last time it polled on the previous version (its last poll while still there, or the
 * moment it left). It **updated** when a change previous → target was observed since start. It is **stalled** when it
 * saw the edge and then
 * - still reports the previous version but has not polled for `silentAfterMs` (the update may have broken the
 *   cluster-version operator, or the cluster), or
 * - was observed moving from the previous version to a version other than the target.
 */
export function rolloutEvidence(input: EvidenceInput): RolloutEvidence {
  const leftAt = new Map<string, EvidenceUpdate>();
  for (const u of input.updates) {
    if (u.at < input.start || !input.sources.has(u.from)) continue;
    const known = leftAt.get(u.clusterId);
    if (!known || u.at < known.at) leftAt.set(u.clusterId, u);
  }
  let eligible = 0;
  let sawEdge = 0;
  let updated = 0;
  const stalled: string[] = [];
  for (const c of input.clusters) {
    if (c.channel !== input.channel) continue;
    const left = leftAt.get(c.id);
    const onSource = c.version !== null && input.sources.has(c.version) && c.lastSeen >= input.start;
    if (!left && !onSource) continue;
    eligible++;
    const lastOnSource = left ? left.at : c.lastSeen;
    if (input.wariness(c.id) > input.fractionAt(lastOnSource)) continue;
    sawEdge++;
    if (left) {
      if (left.to === input.target) updated++;
      else stalled.push(c.id);
    } else if (input.now - c.lastSeen >= input.silentAfterMs) {
      stalled.push(c.id);
    }
  }
  stalled.sort();
  return { eligible, sawEdge, updated, stalled: stalled.length, stalledIds: stalled.slice(0, STALLED_IDS_MAX) };
}

/** `--halt-on-stalled N`: whether the evidence says to pause the rollout (N ≥ 1; absent: never). */
export const shouldHalt = (evidence: Pick<RolloutEvidence, 'stalled'>, haltOnStalled: number | undefined): boolean =>
  haltOnStalled !== undefined && evidence.stalled >= haltOnStalled;
