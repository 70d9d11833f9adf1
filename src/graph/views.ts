// Step D: what one (channel, arch) request sees — the channel filter, then the architecture filter, versions
// stripped of +arch, conditional edges kept only between served nodes, deterministic order.
import { UpstreamError } from '../errors/index.js';
import { edgeSize, hasEntry, isFrozen, type EdgeSet, type Graph, type GraphNode } from './graph.js';
import { KEY } from './keys.js';
import { baseOf, compareSemver, formatSemver, parseSemver, type SemVer } from './semver.js';
import { canonicalRisk, serializeServed } from './serialize.js';
import type { ConditionalGroup, Metadata, Risk, ServedGraph } from './types.js';

interface Kept {
  entry: ServableNode;
  semver: SemVer;
  served: string;
}

interface Selection {
  kept: Kept[];
  edges: Array<[number, number]>;
  conditional: ConditionalGroup[];
  /** Index (into GraphViews.groups) of each entry of `conditional`. */
  groupIndex: number[];
}

interface ServableNode {
  node: GraphNode;
  /** Dense index of the node in this view set; edges are walked by id, not by version string. */
  id: number;
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
  /** JSON of each served node, shared by every channel that lists it. */
  private readonly fragments = new Map<string, string>();

  /**
   * Children by id, made on first use: only bodies that are rendered walk them (a publish renders a few), while digests
   * read the children's versions from the graph. Making all of them was 174,000 lookups per build at upstream scale.
   */
  private readonly childIds: Array<number[] | undefined>;
  private readonly ids = new Map<string, number>();
  private readonly graph: Graph;
  private readonly groups: ConditionalGroup[] = [];
  /** JSON of each group's canonical risk list, shared by every view that shows the group. */
  private readonly riskText: Array<string | undefined>;
  /**
   * Per source node id: its conditional edges as (group index, target id). A view walks only its own nodes' lists
   * instead of every group of the graph: at upstream scale (1,600 risks) scanning every group for each of the 300
   * views was most of the rendering time.
   */
  private readonly conditionalFrom: Array<Array<[number, number]> | undefined>;
  /** Per node id: the digest of everything a served body shows of it (see bodyDigest). */
  private readonly nodeDigests: Array<string | undefined>;
  /** Per group index: the digest of its risk list as stored (the content pairs are grouped by). */
  private readonly riskDigests: Array<string | undefined>;
  /** Internal version of each node id. */
  private readonly versions: string[];
  /** The servable entry of each node id (undefined for nodes no view lists). */
  private readonly entries: Array<ServableNode | undefined>;
  /** position of a node id in the view being selected, -1 when not in it; reset after each selection. */
  private readonly position: Int32Array;

  constructor(graph: Graph) {
    this.graph = graph;
    const ids = this.ids;
    for (const version of graph.nodes.keys()) ids.set(version, ids.size);
    this.versions = [...graph.nodes.keys()];
    this.position = new Int32Array(ids.size).fill(-1);
    // Sized now and written by id. An empty array written at scattered ids turns sparse or not depending on the order of
    // the writes, and the code compiled for one kind was thrown away on meeting the other (see shapes.ts).
    this.childIds = slots(ids.size);
    this.conditionalFrom = slots(ids.size);
    this.nodeDigests = slots(ids.size);
    this.entries = slots(ids.size);
    this.riskText = slots(graph.conditional.length);
    this.riskDigests = slots(graph.conditional.length);
    graph.conditional.forEach((group, g) => {
      this.groups.push(group);
      for (const e of group.edges) {
        const from = ids.get(e.from);
        const to = ids.get(e.to);
        if (from === undefined || to === undefined) continue;
        (this.conditionalFrom[from] ??= []).push([g, to]);
      }
    });
    // Labels repeat (every architecture of a version, most versions of a minor carry the same): each distinct value is
    // split once. At upstream scale splitting each node's channel label was the largest part of this constructor.
    const channelLists = new Map<string, string[]>();
    const archLists = new Map<string, string[]>();
    for (const node of graph.nodes.values()) {
      if (!node.concrete) continue;
      const channels = node.metadata.get(KEY.channels);
      const arch = node.metadata.get(KEY.arch);
      if (channels === undefined || arch === undefined) continue;
      let arches = archLists.get(arch);
      if (arches === undefined) {
        archLists.set(arch, (arches = trimmed(arch.split(','))));
        for (const a of arches) this.archSet.add(a);
      }
      let names = channelLists.get(channels);
      if (names === undefined) channelLists.set(channels, (names = [...new Set(channels.split(',').map((c) => c.trim()))]));
      const entry: ServableNode = { node, id: ids.get(node.version)!, arches, metadata: servedMetadata(node) };
      this.entries[entry.id] = entry;
      for (const channel of names) {
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

  /** How many releases the (channel, arch) view serves, without rendering it. */
  nodeCount(channel: string, arch: string): number {
    let n = 0;
    for (const entry of this.byChannel.get(channel) ?? []) if (entry.arches.includes(arch)) n++;
    return n;
  }

  /** The error render() would throw for this view (a served version that is not SemVer), without rendering it. */
  renderError(channel: string, arch: string): UpstreamError | null {
    for (const entry of this.byChannel.get(channel) ?? []) {
      if (entry.arches.includes(arch) && parseSemver(entry.node.version) === null) {
        return new UpstreamError('arch_version_error', `${entry.node.version} is not a SemVer version`);
      }
    }
    return null;
  }

  /**
   * A digest of everything the (channel, arch) body is made of: the arch, and for each release it serves (in the
   * view's member order) its version, payload, served metadata, children and conditional edges with their risks.
   * Equal digests mean byte-equal bodies, whichever build they come from, so a renderer can skip bodies whose digest
   * did not change. Per-node parts are digested once per GraphViews and shared by every view that lists the node;
   * `digest` is supplied by the caller (the engine does no hashing: it stays free of I/O modules).
   */
  bodyDigest(channel: string, arch: string, digest: (text: string) => string): string {
    const parts: string[] = [arch];
    for (const entry of this.byChannel.get(channel) ?? []) {
      if (entry.arches.includes(arch)) parts.push(this.nodeDigests[entry.id] ??= digest(this.nodeText(entry, digest)));
    }
    return digest(parts.join('\u0000'));
  }

  /**
   * Lets go of what rendering memoised (node JSON, children by id, risk JSON): the renderer keeps a part's views after
   * its bodies are rendered only for the next build to adopt their digests, and these took ~2.8 MB per architecture at
   * upstream scale. A body rendered later makes them again.
   */
  dropRenderMemos(): void {
    this.fragments.clear();
    this.childIds.fill(undefined);
    this.riskText.fill(undefined);
  }

  /**
   * Takes over the node digests `before` computed, for every node whose digested content is the same here: a rebuild
   * after one publish leaves all but a few nodes of an architecture as they were, and writing out and hashing each
   * node's text again was most of rendering a publish at upstream scale. Equality is checked field by field on what
   * nodeText covers, so an adopted digest stands for the same served content. Nothing of `before` is kept.
   */
  adoptDigests(before: GraphViews): void {
    // Keyed by (group here, group there): groups are compared once, not once per node they cover.
    const riskSame = new Map<number, boolean>();
    for (const entry of this.entries) {
      if (entry === undefined) continue;
      const id = before.ids.get(entry.node.version);
      if (id === undefined) continue;
      const digest = before.nodeDigests[id];
      const old = before.entries[id];
      if (digest !== undefined && old !== undefined && this.sameNode(entry, before, old, riskSame)) this.nodeDigests[entry.id] = digest;
    }
  }

  /** Whether `entry` here and `old` in `before` give the same nodeText. */
  private sameNode(entry: ServableNode, before: GraphViews, old: ServableNode, riskSame: Map<number, boolean>): boolean {
    if (entry.node.payload !== old.node.payload || !sameList(entry.arches, old.arches)) return false;
    if (!sameRecord(entry.metadata, old.metadata)) return false;
    if (!sameSet(this.graph.children.get(entry.node.version), before.graph.children.get(old.node.version))) return false;
    const mine = this.conditionalFrom[entry.id] ?? [];
    const theirs = before.conditionalFrom[old.id] ?? [];
    if (mine.length !== theirs.length) return false;
    for (let i = 0; i < mine.length; i++) {
      const [g, to] = mine[i]!;
      const [og, oto] = theirs[i]!;
      if (this.versions[to] !== before.versions[oto]) return false;
      const pair = g * (before.groups.length + 1) + og;
      let same = riskSame.get(pair);
      if (same === undefined) riskSame.set(pair, (same = sameRisks(this.groups[g]!.risks, before.groups[og]!.risks)));
      if (!same) return false;
    }
    return true;
  }

  /**
   * What bodyDigest hashes for one node. Children and conditional targets by version, so ids never leak across builds.
   * Fields are joined by NUL, and list items by SOH: neither can be in a version, a payload or JSON text.
   */
  private nodeText(entry: ServableNode, digest: (text: string) => string): string {
    const { node } = entry;
    let text = `${node.version}\u0000${node.payload}\u0000${entry.arches.join('\u0001')}\u0000${JSON.stringify(entry.metadata)}\u0000`;
    for (const c of this.graph.children.get(node.version) ?? []) text += `${c}\u0001`;
    text += '\u0000';
    for (const [g, to] of this.conditionalFrom[entry.id] ?? []) {
      // The risks as stored, not as served: pairs share a group by this content (materialize-conditional-edges).
      const risks = (this.riskDigests[g] ??= digest(JSON.stringify(this.groups[g]!.risks)));
      text += `${this.versions[to]!}\u0001${risks}\u0001`;
    }
    return text;
  }

  private childrenOf(entry: ServableNode): number[] {
    let children = this.childIds[entry.id];
    if (children === undefined) {
      children = [];
      for (const c of this.graph.children.get(entry.node.version) ?? []) children.push(this.ids.get(c)!);
      this.childIds[entry.id] = children;
    }
    return children;
  }

  /** JSON of a served node, memoised: shared by every channel that lists it. */
  private fragment(version: string, served: string, entry: ServableNode): string {
    const key = `${version}\u0000${served}`;
    let text = this.fragments.get(key);
    if (text === undefined) {
      text = JSON.stringify({ version: served, payload: entry.node.payload, metadata: entry.metadata });
      this.fragments.set(key, text);
    }
    return text;
  }

  /** Throws UpstreamError('arch_version_error') when a served version is not SemVer (possible only with raw input). */
  render(channel: string, arch: string): ServedGraph {
    const sel = this.select(channel, arch);
    if (sel === null) return EMPTY_SERVED;
    return {
      version: 1,
      nodes: sel.kept.map((k) => ({ version: k.served, payload: k.entry.node.payload, metadata: k.entry.metadata })),
      edges: sel.edges,
      conditionalEdges: sel.conditional,
    };
  }

  /** The same document as serializeServed(render(channel, arch)), built from node fragments serialized once. */
  renderText(channel: string, arch: string, hidden?: ReadonlySet<string>): string {
    const sel = this.select(channel, arch, hidden);
    if (sel === null) return serializeServed(EMPTY_SERVED);
    const nodes = sel.kept.map((k) => this.fragment(k.entry.node.version, k.served, k.entry));
    // Same text as JSON.stringify(canonicalGroups(sel.conditional)); each risk list is serialized once per build.
    const groups = sel.conditional.map((group, k) => {
      const g = sel.groupIndex[k]!;
      const risks = (this.riskText[g] ??= JSON.stringify(group.risks.map(canonicalRisk)));
      const edges = group.edges.map((e) => `{"from":${JSON.stringify(e.from)},"to":${JSON.stringify(e.to)}}`);
      return `{"edges":[${edges.join(',')}],"risks":${risks}}`;
    });
    return `{"version":1,"nodes":[${nodes.join(',')}],"edges":${JSON.stringify(sel.edges)},"conditionalEdges":[${groups.join(',')}]}`;
  }

  /**
   * The versions of the (channel, arch) body's nodes as served (the arch taken out of the build metadata), without
   * rendering it: what a cluster's reported version is compared with. Throws as render() does.
   */
  servedVersions(channel: string, arch: string): string[] {
    const versions: string[] = [];
    for (const entry of this.byChannel.get(channel) ?? []) if (entry.arches.includes(arch)) versions.push(servedAs(entry, arch).served);
    return versions;
  }

  /** `hidden`: versions (without build metadata) whose incoming edges are left out (rollouts); the nodes stay. */
  private select(channel: string, arch: string, hidden?: ReadonlySet<string>): Selection | null {
    const kept: Kept[] = [];
    for (const entry of this.byChannel.get(channel) ?? []) if (entry.arches.includes(arch)) kept.push(servedAs(entry, arch));
    if (kept.length === 0) return null;
    kept.sort((a, b) => compareSemver(a.semver, b.semver) || byteOrder(a.entry.node.version, b.entry.node.version));

    const n = kept.length;
    const position = this.position;
    const closed = new Uint8Array(n);
    if (hidden !== undefined && hidden.size > 0) kept.forEach((k, i) => (closed[i] = hidden.has(baseOf(k.entry.node.version)) ? 1 : 0));
    kept.forEach((k, i) => (position[k.entry.id] = i));
    try {
      const conditionalPairs = new Set<number>();
      const pairsOf = new Map<number, Array<[number, number]>>();
      for (let i = 0; i < n; i++) {
        for (const [g, toId] of this.conditionalFrom[kept[i]!.entry.id] ?? []) {
          const to = position[toId]!;
          if (to < 0 || closed[to] === 1) continue;
          let pairs = pairsOf.get(g);
          if (pairs === undefined) pairsOf.set(g, (pairs = []));
          pairs.push([i, to]);
        }
      }
      const ordered: Array<{ first: [number, number]; group: ConditionalGroup; index: number }> = [];
      for (const [g, pairs] of pairsOf) {
        const group = this.groups[g]!;
        pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        for (const [f, t] of pairs) conditionalPairs.add(f * n + t);
        ordered.push({
          index: g,
          first: pairs[0]!,
          group: { edges: pairs.map(([f, t]) => ({ from: kept[f]!.served, to: kept[t]!.served })), risks: group.risks },
        });
      }
      ordered.sort((a, b) => a.first[0] - b.first[0] || a.first[1] - b.first[1]);

      const edges: Array<[number, number]> = [];
      const targets: number[] = [];
      for (let i = 0; i < n; i++) {
        targets.length = 0;
        for (const child of this.childrenOf(kept[i]!.entry)) {
          const j = position[child]!;
          // An update is either unconditional or conditional, never both (the cluster would drop it otherwise).
          if (j >= 0 && closed[j] === 0 && !conditionalPairs.has(i * n + j)) targets.push(j);
        }
        targets.sort((a, b) => a - b);
        for (const j of targets) edges.push([i, j]);
      }
      return { kept, edges, conditional: ordered.map((o) => o.group), groupIndex: ordered.map((o) => o.index) };
    } finally {
      for (const k of kept) position[k.entry.id] = -1;
    }
  }
}

/** `n` empty slots, already of the elements kind that holds any value: filled, so that no later write changes its kind. */
function slots<T>(n: number): Array<T | undefined> {
  return new Array<T | undefined>(n).fill(undefined);
}

/**
 * `items` trimmed in place. Not `items.map(...)`: the array that made had one hidden class while this constructor ran
 * unoptimized and another once it was optimized, and comparing a new build's lists with the last one's (sameNode) then
 * threw the optimized comparison away, publish after publish (see shapes.ts).
 */
function trimmed(items: string[]): string[] {
  for (let i = 0; i < items.length; i++) items[i] = items[i]!.trim();
  return items;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Children as a set: nodeText lists them in insertion order, but a body sorts its edges, so the same children in
 * another order make the same bodies and the adopted digest still stands for them.
 */
function sameSet(a: EdgeSet | undefined, b: EdgeSet | undefined): boolean {
  const size = edgeSize(a);
  if (size !== edgeSize(b)) return false;
  if (a === undefined || b === undefined || a === b) return true;
  // Kept graphs hold arrays, mostly in the same order from one build to the next: compared in order first, then as sets.
  if (isFrozen(a) && isFrozen(b)) {
    let i = 0;
    while (i < size && a[i] === b[i]) i++;
    if (i === size) return true;
  }
  const other = isFrozen(b) && size > 16 ? new Set(b) : b;
  for (const x of a) if (!hasEntry(other, x)) return false;
  return true;
}

function sameRecord(a: Metadata, b: Metadata): boolean {
  const keys = Object.keys(a);
  // Key order matters too: nodeText serializes the record as it is (sorted keys, so equal sets come out equal).
  return sameList(keys, Object.keys(b)) && keys.every((k) => a[k] === b[k]);
}

/** Risk lists by content, as nodeText digests them (JSON text); the same objects short-cut the text. */
function sameRisks(a: readonly Risk[], b: readonly Risk[]): boolean {
  if (a === b) return true;
  if (a.length === b.length && a.every((r, i) => r === b[i])) return true;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A node as the (channel, arch) body serves it: its SemVer with the arch taken out of the build metadata. */
function servedAs(entry: ServableNode, arch: string): Kept {
  const v = parseSemver(entry.node.version);
  if (!v) throw new UpstreamError('arch_version_error', `${entry.node.version} is not a SemVer version`);
  const semver = v.build.includes(arch) ? { ...v, build: v.build.filter((id) => id !== arch) } : v;
  return { entry, semver, served: formatSemver(semver) };
}
