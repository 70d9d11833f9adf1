// Step D: what one (channel, arch) request sees — the channel filter, then the architecture filter, versions
// stripped of +arch, conditional edges kept only between served nodes, deterministic order.
import { UpstreamError } from '../errors/index.js';
import type { Graph, GraphNode } from './graph.js';
import { KEY } from './keys.js';
import { compareSemver, formatSemver, parseSemver, type SemVer } from './semver.js';
import type { ConditionalGroup, Metadata, ServedGraph } from './types.js';

interface ServableNode {
  node: GraphNode;
  arches: string[];
  /** Metadata as served: the architecture key is never sent (the arch filter consumes it). */
  metadata: Metadata;
}

const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function servedMetadata(node: GraphNode): Metadata {
  const keys = [...node.metadata.keys()].filter((k) => k !== KEY.arch).sort(byteOrder);
  return Object.fromEntries(keys.map((k) => [k, node.metadata.get(k)!]));
}

export const EMPTY_SERVED: ServedGraph = Object.freeze({ version: 1, nodes: [], edges: [], conditionalEdges: [] }) as ServedGraph;

/** Indexes a built graph once so that every (channel, arch) view renders without rescanning metadata. */
export class GraphViews {
  private readonly byChannel = new Map<string, ServableNode[]>();
  private readonly archSet = new Set<string>();

  constructor(private readonly graph: Graph) {
    for (const node of graph.nodes.values()) {
      if (!node.concrete) continue;
      const channels = node.metadata.get(KEY.channels);
      const arch = node.metadata.get(KEY.arch);
      if (channels === undefined || arch === undefined) continue;
      const arches = arch.split(',').map((a) => a.trim());
      for (const a of arches) this.archSet.add(a);
      const entry: ServableNode = { node, arches, metadata: servedMetadata(node) };
      for (const channel of new Set(channels.split(',').map((c) => c.trim()))) {
        const list = this.byChannel.get(channel);
        if (list) list.push(entry);
        else this.byChannel.set(channel, [entry]);
      }
    }
  }

  /** Channels that have at least one servable node. */
  channels(): string[] {
    return [...this.byChannel.keys()].sort(byteOrder);
  }

  arches(): string[] {
    return [...this.archSet].sort(byteOrder);
  }

  /** The arches that have nodes in this channel. */
  archesOf(channel: string): string[] {
    const set = new Set<string>();
    for (const n of this.byChannel.get(channel) ?? []) for (const a of n.arches) set.add(a);
    return [...set].sort(byteOrder);
  }

  /** Throws UpstreamError('arch_version_error') when a served version is not SemVer (possible only with raw input). */
  render(channel: string, arch: string): ServedGraph {
    const kept: Array<{ entry: ServableNode; semver: SemVer; served: string }> = [];
    for (const entry of this.byChannel.get(channel) ?? []) {
      if (!entry.arches.includes(arch)) continue;
      const v = parseSemver(entry.node.version);
      if (!v) throw new UpstreamError('arch_version_error', `${entry.node.version} is not a SemVer version`);
      const semver = { ...v, build: v.build.filter((id) => id !== arch) };
      kept.push({ entry, semver, served: formatSemver(semver) });
    }
    if (kept.length === 0) return EMPTY_SERVED;
    kept.sort((a, b) => compareSemver(a.semver, b.semver) || byteOrder(a.entry.node.version, b.entry.node.version));

    const indexOf = new Map<string, number>();
    kept.forEach((k, i) => indexOf.set(k.entry.node.version, i));

    const conditionalEdges: ConditionalGroup[] = [];
    const conditionalPairs = new Set<string>();
    const ordered: Array<{ first: [number, number]; group: ConditionalGroup }> = [];
    for (const group of this.graph.conditional) {
      const pairs: Array<[number, number]> = [];
      for (const e of group.edges) {
        const from = indexOf.get(e.from);
        const to = indexOf.get(e.to);
        if (from !== undefined && to !== undefined) pairs.push([from, to]);
      }
      if (pairs.length === 0) continue;
      pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      for (const [f, t] of pairs) conditionalPairs.add(`${f},${t}`);
      ordered.push({
        first: pairs[0]!,
        group: { edges: pairs.map(([f, t]) => ({ from: kept[f]!.served, to: kept[t]!.served })), risks: group.risks },
      });
    }
    ordered.sort((a, b) => a.first[0] - b.first[0] || a.first[1] - b.first[1]);
    for (const o of ordered) conditionalEdges.push(o.group);

    const edges: Array<[number, number]> = [];
    kept.forEach((k, i) => {
      const targets: number[] = [];
      for (const child of this.graph.children.get(k.entry.node.version) ?? []) {
        const j = indexOf.get(child);
        // An update is either unconditional or conditional, never both (the cluster would drop it otherwise).
        if (j !== undefined && !conditionalPairs.has(`${i},${j}`)) targets.push(j);
      }
      targets.sort((a, b) => a - b);
      for (const j of targets) edges.push([i, j]);
    });

    return {
      version: 1,
      nodes: kept.map((k) => ({ version: k.served, payload: k.entry.node.payload, metadata: k.entry.metadata })),
      edges,
      conditionalEdges,
    };
  }
}
