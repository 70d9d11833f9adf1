// Adoption of one version in one channel over time (issue 13: the console draws it against a rollout's fraction): at
// each instant, how many of the channel's recorded clusters had been seen by then and how many of those ran the
// version then. Pure, over the rows the fleet repository gives, so it is checked by hand on a synthetic fleet.

export interface AdoptionCluster {
  id: string;
  /** Unix ms of its first recorded poll. */
  first: number;
  /** The version of its last poll (null: it sent none). */
  version: string | null;
}

export interface AdoptionUpdate {
  id: string;
  from: string;
  to: string;
  at: number;
}

export interface AdoptionSample {
  /** Unix ms. */
  at: number;
  /** Clusters of the channel first seen at or before `at`. */
  clusters: number;
  /** Of those, the ones running the version at `at`. */
  running: number;
}

/**
 * A cluster counts at instant t once it was first seen (first ≤ t), with the version it ran then, found as the daily
 * history finds it: the `to` of its last update at or before t, else the `from` of its first later update, else the
 * version it reports now. `updates` must be ordered by cluster, then time; `times` ascending.
 */
export function adoptionSeries(version: string, clusters: readonly AdoptionCluster[], updates: readonly AdoptionUpdate[], times: readonly number[]): AdoptionSample[] {
  const byCluster = new Map<string, AdoptionUpdate[]>();
  for (const u of updates) {
    let list = byCluster.get(u.id);
    if (!list) byCluster.set(u.id, (list = []));
    list.push(u);
  }
  const samples = times.map((at) => ({ at, clusters: 0, running: 0 }));
  for (const c of clusters) {
    const list = byCluster.get(c.id) ?? [];
    let next = 0; // the first update after the instant
    for (const sample of samples) {
      if (c.first > sample.at) continue;
      while (next < list.length && list[next]!.at <= sample.at) next++;
      const ran = next > 0 ? list[next - 1]!.to : next < list.length ? list[next]!.from : c.version;
      sample.clusters++;
      if (ran === version) sample.running++;
    }
  }
  return samples;
}

/** `points` instants evenly spaced from `from` to `to` (both included; one instant when from ≥ to). */
export function sampleTimes(from: number, to: number, points: number): number[] {
  if (from >= to || points < 2) return [to];
  const step = (to - from) / (points - 1);
  return Array.from({ length: points }, (_, i) => (i === points - 1 ? to : Math.round(from + i * step)));
}
