// Questions about the recorded fleet: clusters per version, the clusters themselves, the updates they made, and the
// clusters that cannot be offered updates (compared with the graph being served, exactly as clusters read it).
import type { FleetClusterRow, FleetRepository } from '../../store/index.js';
import type { ServedGraphs } from '../graph-explorer.js';

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
}

export type FleetProblemReason = 'VersionNotFound' | 'ChannelNotFound' | 'ArchNotServed';
export const FLEET_PROBLEM_REASONS: readonly FleetProblemReason[] = ['VersionNotFound', 'ChannelNotFound', 'ArchNotServed'];

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

const iso = (ms: number): string => new Date(ms).toISOString();
const toCluster = (r: FleetClusterRow): FleetCluster => ({
  id: r.id, version: r.version, channel: r.channel, arch: r.arch, userAgent: r.userAgent, firstSeen: iso(r.firstSeen), lastSeen: iso(r.lastSeen),
});

export interface FleetInventoryDeps {
  repository: FleetRepository;
  served: ServedGraphs;
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
    return this.deps.repository
      .clusters({ version: filter.version, channel: filter.channel, since: filter.sinceMs === undefined ? undefined : this.now() - filter.sinceMs })
      .map(toCluster);
  }

  /** Observed version changes A → B within the last `sinceMs` (all when absent). */
  updates(sinceMs?: number): FleetUpdate[] {
    return this.deps.repository
      .updates(sinceMs === undefined ? 0 : this.now() - sinceMs)
      .map((u) => ({ from: u.from, to: u.to, clusters: u.clusters, firstSeen: iso(u.first), lastSeen: iso(u.last) }));
  }

  /** Clusters the served graph cannot offer updates to, with the reason the cluster reports and what to do. */
  problems(): FleetProblem[] {
    const index = this.served();
    const problems: FleetProblem[] = [];
    for (const row of this.deps.repository.clusters({})) {
      const found = this.diagnose(index, row);
      if (found) problems.push({ ...toCluster(row), ...found });
    }
    return problems;
  }

  /** Versions and arches the served graph has nodes of (metric labels are bounded to these). */
  known(): { versions: ReadonlySet<string>; arches: ReadonlySet<string>; channels: ReadonlySet<string> } {
    const index = this.served();
    return { versions: index.versions, arches: index.arches, channels: new Set(index.channels.keys()) };
  }

  private diagnose(index: ServedIndex, row: FleetClusterRow): { reason: FleetProblemReason; hint: string } | undefined {
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
    for (const { channel, arch } of this.deps.served.keys()) {
      const { status, text } = this.deps.served.body(channel, arch);
      if (status !== 200) continue;
      const nodes = (JSON.parse(text) as { nodes: Array<{ version: string }> }).nodes;
      const set = new Set(nodes.map((n) => n.version));
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
