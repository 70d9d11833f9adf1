// Questions about the recorded fleet: clusters per version, the clusters themselves, the updates they made, and the
// clusters that cannot be offered updates (compared with the graph being served, exactly as clusters read it).
import type { FleetClusterRow, FleetRepository, FleetUnseenRow } from '../../store/index.js';
import type { ServedGraphs } from '../graph-explorer.js';
import { adoptionSeries, sampleTimes } from './adoption.js';

export interface FleetVersionsEntry {
  channel: string;
  arch: string;
  version: string | null;
  clusters: number;
}

export interface FleetCluster {
  id: string;
  version: string | null;
  channel: string;
  arch: string;
  userAgent: string | null;
  firstSeen: string;
  lastSeen: string;
}

export interface FleetUpdate {
  from: string;
  to: string;
  clusters: number;
  firstSeen: string;
  lastSeen: string;
  /** Updates of these whose offer time is known (the edge was served before the cluster moved). */
  offered: number;
  /** Seconds from first being offered `to` to running it, over the `offered` updates (nearest rank); null when none. */
  tookMedian: number | null;
  tookP90: number | null;
  tookMax: number | null;
}

/** Clusters per version at the end of each UTC day (today: now), oldest day first. */
export interface FleetHistory {
  days: string[];
  series: Array<{ version: string; clusters: number[] }>;
}

/** How many clusters run a release (of one arch) and how many were observed updating to it. */
export interface FleetReleaseCounts {
  version: string;
  arch: string;
  running: number;
  updatedTo: number;
}

/** A version's adoption in a channel over time (oldest first). */
export interface FleetAdoption {
  channel: string;
  version: string;
  samples: Array<{ at: string; clusters: number; running: number }>;
}

/** Versions drawn separately in the history; the rest are summed as "other" (a chart of 40 colours reads as none). */
export const FLEET_HISTORY_SERIES = 8;
const NO_VERSION = '(none)';
const OTHER = 'other';

export type FleetProblemReason = 'VersionNotFound' | 'ChannelNotFound' | 'ArchNotServed' | 'Unseen';
export const FLEET_PROBLEM_REASONS: readonly FleetProblemReason[] = ['VersionNotFound', 'ChannelNotFound', 'ArchNotServed', 'Unseen'];
/** A cluster seen daily and then not for longer than this is a problem (`Unseen`) unless the question names another threshold. */
export const DEFAULT_FLEET_UNSEEN_MS = 2 * 86_400_000;

export interface FleetProblem extends FleetCluster {
  reason: FleetProblemReason;
  /** What to do about it. */
  hint: string;
}

/** Per (channel, arch): the versions of its nodes, as served. Built once per served generation. */
interface ServedIndex {
  generation: object | undefined;
  /** channel → arch → versions */
  channels: Map<string, Map<string, Set<string>>>;
  versions: Set<string>;
  arches: Set<string>;
}

/** Nearest-rank percentile of ascending values. */
const rank = (sorted: readonly number[], p: number): number => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
const seconds = (ms: number): number => Math.round(ms / 1000);
const sum = (xs: readonly number[]): number => xs.reduce((n, x) => n + x, 0);

const iso = (ms: number): string => new Date(ms).toISOString();
const toCluster = (r: FleetClusterRow): FleetCluster => ({
  id: r.id, version: r.version, channel: r.channel, arch: r.arch, userAgent: r.userAgent, firstSeen: iso(r.firstSeen), lastSeen: iso(r.lastSeen),
});

/**
 * The clusters the recorder holds in memory (FleetRecorder): the store's last_seen of such a cluster lags its last poll
 * by less than `maxLagMs` (it is written when something changed, or as a refresh once its write is a refresh interval
 * old, spread over the next interval). Readers that show or filter by the last poll take the later of the two.
 */
export interface FleetLive {
  lastSeen(id: string): number | undefined;
  readonly maxLagMs: number;
}

export interface FleetInventoryDeps {
  repository: FleetRepository;
  served: ServedGraphs;
  /** Absent (a local store, `--db`): the store is all there is. */
  live?: FleetLive | undefined;
  now?: () => number;
}

export class FleetInventory {
  private index: ServedIndex | undefined;
  private readonly now: () => number;

  constructor(private readonly deps: FleetInventoryDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Clusters seen within the last `sinceMs` (all when absent), per channel, arch and version. */
  versions(sinceMs?: number): FleetVersionsEntry[] {
    return this.deps.repository.versionCounts(sinceMs === undefined ? 0 : this.now() - sinceMs);
  }

  clusters(filter: { version?: string | undefined; channel?: string | undefined; sinceMs?: number | undefined } = {}): FleetCluster[] {
    return this.clusterRows(filter.channel, filter.version, filter.sinceMs === undefined ? undefined : this.now() - filter.sinceMs).map(toCluster);
  }

  /**
   * Clusters (filtered) with their last poll as the recorder knows it. Seen since `since`: the store is asked for
   * `maxLagMs` more (a held cluster's stored last poll lags by less), then the later last poll decides.
   */
  private clusterRows(channel: string | undefined, version: string | undefined, since: number | undefined): FleetClusterRow[] {
    const live = this.deps.live;
    const wider = since === undefined || live === undefined ? since : since - live.maxLagMs;
    const rows = this.deps.repository.clusters({ version, channel, since: wider });
    if (live === undefined) return rows;
    const fresh: FleetClusterRow[] = [];
    for (const row of rows) {
      const r = this.fresh(row);
      if (since === undefined || r.lastSeen >= since) fresh.push(r);
    }
    return fresh;
  }

  /** The row with the recorder's later last poll, when it holds one. */
  private fresh<R extends { id: string; lastSeen: number }>(row: R): R {
    const held = this.deps.live?.lastSeen(row.id);
    return held !== undefined && held > row.lastSeen ? { ...row, lastSeen: held } : row;
  }

  /** Observed version changes A → B within the last `sinceMs` (all when absent), with how long they took from the offer. */
  updates(sinceMs?: number): FleetUpdate[] {
    const since = sinceMs === undefined ? 0 : this.now() - sinceMs;
    const took = new Map<string, number[]>();
    // Ascending per (from, to), as the store orders them.
    for (const d of this.deps.repository.updateDurations(since)) {
      const key = `${d.from}\0${d.to}`;
      let list = took.get(key);
      if (!list) took.set(key, (list = []));
      list.push(d.took);
    }
    return this.deps.repository.updates(since).map((u) => {
      const list = took.get(`${u.from}\0${u.to}`) ?? [];
      return {
        from: u.from, to: u.to, clusters: u.clusters, firstSeen: iso(u.first), lastSeen: iso(u.last), offered: list.length,
        tookMedian: list.length ? seconds(rank(list, 0.5)) : null,
        tookP90: list.length ? seconds(rank(list, 0.9)) : null,
        tookMax: list.length ? seconds(list[list.length - 1]!) : null,
      };
    });
  }

  /**
   * Clusters the served graph cannot offer updates to, with the reason the cluster reports and what to do; and clusters
   * that polled daily but not for longer than `unseenMs` (default 2 days), which nothing is offered to either.
   */
  /**
   * How many clusters problems() would list, by reason, from SQLite's counts per (channel, arch, version): a /metrics
   * scrape on the thread that answers clusters must not read every cluster (100,000 rows took 150–380 ms).
   */
  problemCounts(unseenMs: number = DEFAULT_FLEET_UNSEEN_MS): Map<FleetProblemReason, number> {
    const index = this.served();
    const counts = new Map<FleetProblemReason, number>(FLEET_PROBLEM_REASONS.map((r) => [r, 0]));
    for (const group of this.deps.repository.problemGroups(this.now() - unseenMs)) {
      const reason = group.unseen === 1 ? 'Unseen' : this.diagnose(index, group)?.reason;
      if (reason !== undefined) counts.set(reason, counts.get(reason)! + group.clusters);
    }
    return counts;
  }

  problems(unseenMs: number = DEFAULT_FLEET_UNSEEN_MS): FleetProblem[] {
    const index = this.served();
    const now = this.now();
    const unseen = new Map<string, FleetUnseenRow>();
    for (const stored of this.deps.repository.unseenDaily(now - unseenMs)) {
      // A held cluster may have polled since its row was written: then it is not silent.
      const row = this.fresh(stored);
      if (row.lastSeen < now - unseenMs) unseen.set(row.id, row);
    }
    const problems: FleetProblem[] = [];
    for (const row of this.clusterRows(undefined, undefined, undefined)) {
      const silent = unseen.get(row.id);
      // A cluster that stopped polling is told nothing, whatever its channel says: that comes first.
      const found = silent ? { reason: 'Unseen' as const, hint: unseenHint(silent, now) } : this.diagnose(index, row);
      if (found) problems.push({ ...toCluster(row), ...found });
    }
    return problems;
  }

  /**
   * Clusters per version at the end of each of the last `days` UTC days, derived from the recorded history: a cluster
   * counts on a day when it was first seen by the day's end and last seen on or after its start, with the version it
   * ran then (its last update before, else the version its first later update left, else its current one). Clusters
   * dropped by the retention are not in it. The versions with the most clusters on the last day (then overall) are
   * series of their own, at most FLEET_HISTORY_SERIES; the rest are summed as "other".
   */
  history(days = 30): FleetHistory {
    const DAY = 86_400_000;
    const now = this.now();
    const today = Math.floor(now / DAY) * DAY;
    const starts = Array.from({ length: days }, (_, i) => today - (days - 1 - i) * DAY);
    const { clusters, updates } = this.deps.repository.historyRows();
    const byCluster = new Map<string, Array<{ from: string; to: string; at: number }>>();
    for (const u of updates) {
      let list = byCluster.get(u.id);
      if (!list) byCluster.set(u.id, (list = []));
      list.push(u);
    }
    const counts = new Map<string, number[]>();
    const add = (version: string, day: number): void => {
      let row = counts.get(version);
      if (!row) counts.set(version, (row = new Array<number>(days).fill(0)));
      row[day]!++;
    };
    for (const stored of clusters) {
      const held = this.deps.live?.lastSeen(stored.id);
      const c = held !== undefined && held > stored.last ? { ...stored, last: held } : stored;
      const list = byCluster.get(c.id) ?? [];
      let next = 0; // the first update after the day's end
      for (let d = 0; d < days; d++) {
        const start = starts[d]!;
        const end = Math.min(start + DAY - 1, now);
        if (c.first > end || c.last < start) continue;
        while (next < list.length && list[next]!.at <= end) next++;
        const version = next > 0 ? list[next - 1]!.to : next < list.length ? list[next]!.from : c.version;
        add(version ?? NO_VERSION, d);
      }
    }
    const ranked = [...counts].sort(([va, a], [vb, b]) => b[days - 1]! - a[days - 1]! || sum(b) - sum(a) || va.localeCompare(vb));
    const series = ranked.slice(0, FLEET_HISTORY_SERIES).map(([version, row]) => ({ version, clusters: row }));
    const rest = ranked.slice(FLEET_HISTORY_SERIES);
    if (rest.length > 0) series.push({ version: OTHER, clusters: starts.map((_, d) => rest.reduce((n, [, row]) => n + row[d]!, 0)) });
    return { days: starts.map((s) => new Date(s).toISOString().slice(0, 10)), series };
  }

  /**
   * Adoption of `version` in `channel` at `points` instants evenly spaced from `fromMs` to now: the channel's recorded
   * clusters seen by each instant and those of them running the version then (adoption.ts).
   */
  adoption(channel: string, version: string, fromMs: number, points: number): FleetAdoption {
    const { clusters, updates } = this.deps.repository.channelHistoryRows(channel);
    const samples = adoptionSeries(version, clusters, updates, sampleTimes(fromMs, this.now(), points));
    return { channel, version, samples: samples.map((s) => ({ ...s, at: iso(s.at) })) };
  }

  releaseCounts(version: string, arch: string): FleetReleaseCounts {
    return { version, arch, ...this.deps.repository.releaseCounts(version, arch) };
  }

  /**
   * What a rollout's evidence is computed from (services/rollout-evidence-feed.ts): the clusters of `channel` seen
   * since `since`, the updates observed since then of clusters of that channel, and every edge the channel's graph
   * has served (noted by the build worker into fleet_target_offers, so no served body is parsed here).
   */
  channelActivity(channel: string, since: number): {
    clusters: FleetClusterRow[]; updates: Array<{ clusterId: string; from: string; to: string; at: number }>; edges: Array<{ from: string; to: string }>;
  } {
    return {
      clusters: this.clusterRows(channel, undefined, since), updates: this.deps.repository.channelUpdates(channel, since),
      edges: this.deps.repository.channelOffers(channel),
    };
  }

  /** Versions and arches the served graph has nodes of (metric labels are bounded to these). */
  known(): { versions: ReadonlySet<string>; arches: ReadonlySet<string>; channels: ReadonlySet<string> } {
    const index = this.served();
    return { versions: index.versions, arches: index.arches, channels: new Set(index.channels.keys()) };
  }

  private diagnose(index: ServedIndex, row: Pick<FleetClusterRow, 'channel' | 'arch' | 'version'>): { reason: FleetProblemReason; hint: string } | undefined {
    const byArch = index.channels.get(row.channel);
    if (!byArch) {
      return { reason: 'ChannelNotFound', hint: `channel "${row.channel}" does not exist or lists no releases: create it, or set the cluster's channel to one that exists` };
    }
    const versions = byArch.get(row.arch);
    if (!versions) {
      return { reason: 'ArchNotServed', hint: `channel "${row.channel}" serves ${[...byArch.keys()].sort().join(', ')}, not ${row.arch}: add ${row.arch} releases to it` };
    }
    if (row.version === null || versions.has(row.version)) return undefined;
    const listing = [...index.channels].filter(([c, a]) => c !== row.channel && a.get(row.arch)?.has(row.version!)).map(([c]) => c).sort();
    const add = `add ${row.version} to "${row.channel}" (kus channel add ${row.channel} ${row.version})`;
    return {
      reason: 'VersionNotFound',
      hint: listing.length > 0 ? `${add}, or switch the cluster to ${listing.map((c) => `"${c}"`).join(' or ')}, which list it` : `${add}; no channel lists it for ${row.arch}`,
    };
  }

  private served(): ServedIndex {
    const generation = this.deps.served.generation();
    if (this.index && this.index.generation === generation && generation !== undefined) return this.index;
    const channels = new Map<string, Map<string, Set<string>>>();
    const versions = new Set<string>();
    const arches = new Set<string>();
    // The versions each body was rendered with (the build worker lists them): no body is read or parsed here.
    for (const { channel, arch } of this.deps.served.keys()) {
      const list = this.deps.served.versions(channel, arch);
      if (list.length === 0) continue;
      const set = new Set(list);
      for (const v of set) versions.add(v);
      arches.add(arch);
      let byArch = channels.get(channel);
      if (!byArch) channels.set(channel, (byArch = new Map()));
      byArch.set(arch, set);
    }
    this.index = { generation, channels, versions, arches };
    return this.index;
  }
}

function unseenHint(row: FleetUnseenRow, now: number): string {
  const days = ((now - row.lastSeen) / 86_400_000).toFixed(1);
  return `not seen for ${days} days (last poll ${iso(row.lastSeen)}) after polling on ${row.daysSeen} days since ${iso(row.firstSeen)}: ` +
    'check that the cluster is up and still reaches this server (ClusterVersion spec.upstream, proxy, network); ' +
    'if it was retired, nothing to do: it is dropped after --fleet-retention';
}
