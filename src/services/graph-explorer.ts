// Read-only questions about the served graph, answered from the exact bodies the graph API serves: which channels
// exist, the path from A to B, what a cluster would see, everything about one release. The console, its public
// JSON endpoints and `kus path` / `kus explain` all ask here.
import { LRUCache } from 'lru-cache';
import { isVariantKey } from './rollout-bodies.js';
import { UpstreamError } from '../errors/index.js';
import {
  clusterView, EMPTY_SERVED, findPaths, payloadDigest, validateGraphRequest, type ClusterIdentity, type ClusterView, type Metadata,
  type PathAnswer, type Risk, type ServedGraph,
} from '../graph/index.js';
import { renderManifests, signatureConfigMap } from '../signatures/index.js';
import type { GraphCache } from './graph-cache.js';
import type { EdgeList } from './publish/types.js';
import type { DigestStatus, Signing } from './signing.js';

/** The served bodies, by (channel, arch). Only the cache's public lookup is needed, plus the list of keys it holds. */
export interface ServedGraphs {
  /** Every (channel, arch) with nodes. */
  keys(): Array<{ channel: string; arch: string }>;
  /** Status and body text exactly as the graph API answers them. */
  body(channel: string, arch: string): ServedText;
  /** The served versions of the body's nodes, without reading the body (empty when it has none or is an error). */
  versions(channel: string, arch: string): readonly string[];
  /** Changes (by identity) whenever a new graph is served; answers derived from the store are cached per value. */
  generation(): object | undefined;
}

/** One served body: its status, the body itself (the same object for as long as the same bytes are served) and its text. */
export interface ServedText {
  status: number;
  identity: object;
  text(): string;
}

/**
 * Text bytes of the served documents the explorer keeps parsed (parsed, a document takes about twice its text's size
 * in the heap: 2.9 MB for 1.4 MB of JSON, six bodies of the generated upstream-scale store). Every document of an
 * architecture, parsed once per generation for one question, took 200–420 ms of the serving thread and ~60 MB that
 * stayed (four questions, one per architecture: RSS 158 → 410 MB). The budget holds what one release view reads
 * there (the nine channels listing a release, 44–381 KB each) and the few documents a person is looking at.
 */
export const PARSED_GRAPHS_BUDGET_BYTES = 4 * 1024 * 1024;

/** The one place that knows how GraphCache exposes its generation; everything else sees ServedGraphs. */
export function servedGraphsOf(cache: GraphCache): ServedGraphs {
  return {
    keys: () => {
      const keys: Array<{ channel: string; arch: string }> = [];
      for (const [arch, byChannel] of cache.snapshot?.bodies ?? []) for (const channel of byChannel.keys()) if (!isVariantKey(channel)) keys.push({ channel, arch });
      return keys;
    },
    body: (channel, arch) => {
      const served = cache.lookup(channel, arch);
      return { status: served.status, identity: served, text: () => served.plain.toString('utf8') };
    },
    // The channel's own key, not a rollout variant: every variant of a channel has the same nodes.
    versions: (channel, arch) => cache.snapshot?.bodies.get(arch)?.get(channel)?.versions ?? [],
    generation: () => cache.snapshot,
  };
}

export interface ChannelSummary {
  channel: string;
  arches: string[];
}

export interface ReleaseEdge {
  version: string;
  /** Empty for a recommended edge. */
  risks: Risk[];
}

export interface ReleaseInChannel {
  channel: string;
  incoming: ReleaseEdge[];
  outgoing: ReleaseEdge[];
}

export interface ReleaseView {
  version: string;
  arch: string;
  payload: string;
  digest: string | null;
  metadata: Metadata;
  channels: ReleaseInChannel[];
  /** Which active keys signed the payload digest, verified here; null when this server does not keep signatures. */
  signatures: DigestStatus | null;
}

export interface ExplainAnswer extends ClusterView {
  /** What a person should know beyond what the operator reports (e.g. the channels that do list the version). */
  hints: string[];
}

export interface GraphExplorerDeps {
  served: ServedGraphs;
  /** The stored blocked and conditional edge declarations (Publisher.listEdges). */
  edges: () => EdgeList;
  signing?: Pick<Signing, 'verifyDigest' | 'signatureFiles'>;
}

export class GraphExplorer {
  // lru-cache rather than toad-cache: bounded by the bytes parsed, not by entries (bodies run from 44 to 381 KB).
  private readonly parsed = new LRUCache<string, { identity: object; graph: ServedGraph; size: number }>({
    maxSize: PARSED_GRAPHS_BUDGET_BYTES,
    sizeCalculation: (entry) => Math.max(1, entry.size),
  });
  private edges: { generation: object | undefined; value: EdgeList } | undefined;

  constructor(private readonly deps: GraphExplorerDeps) {}

  /** Text bytes of the documents kept parsed now (at most PARSED_GRAPHS_BUDGET_BYTES). */
  get parsedBytes(): number {
    return this.parsed.calculatedSize;
  }

  channels(): ChannelSummary[] {
    const byChannel = new Map<string, string[]>();
    for (const { channel, arch } of this.deps.served.keys()) byChannel.set(channel, [...(byChannel.get(channel) ?? []), arch]);
    return [...byChannel].map(([channel, arches]) => ({ channel, arches: arches.sort() })).sort((a, b) => a.channel.localeCompare(b.channel));
  }

  /**
   * Blocked and conditional declarations with their files (what the graph view marks as blocked). Read from the
   * store once per served generation: every write rebuilds, and at upstream scale the read costs a few hundred ms.
   */
  edgeDeclarations(): EdgeList {
    const generation = this.deps.served.generation();
    if (!this.edges || this.edges.generation !== generation || generation === undefined) this.edges = { generation, value: this.deps.edges() };
    return this.edges.value;
  }

  /**
   * The served document of (channel, arch), parsed once while the same body is served and kept within
   * PARSED_GRAPHS_BUDGET_BYTES; the empty graph when it has no nodes. Only (channel, arch) keys with nodes are kept,
   * so questions about channels that do not exist (anyone may ask) leave nothing behind.
   */
  private graph(channel: string, arch: string): ServedGraph {
    const served = this.deps.served.body(channel, arch);
    if (served.status !== 200 || this.deps.served.versions(channel, arch).length === 0) return EMPTY_SERVED;
    const key = `${channel}\n${arch}`;
    const hit = this.parsed.get(key);
    if (hit?.identity === served.identity) return hit.graph;
    const text = served.text();
    const graph = JSON.parse(text) as ServedGraph;
    this.parsed.set(key, { identity: served.identity, graph, size: text.length });
    return graph;
  }

  /** Whether the served (channel, arch) lists `version`, from the versions the serving thread keeps: nothing is parsed. */
  private lists(channel: string, arch: string, version: string): boolean {
    return this.deps.served.versions(channel, arch).includes(version);
  }

  path(query: { from: string; to: string; channel: string; arch: string }): PathAnswer {
    validateGraphRequest(query.channel, query.arch);
    const channelArches = this.deps.served.keys().filter((k) => k.channel === query.channel).map((k) => k.arch);
    return findPaths({
      ...query,
      graph: this.graph(query.channel, query.arch),
      channelArches,
      blocked: this.edgeDeclarations().blocked,
    });
  }

  explain(cluster: ClusterIdentity): ExplainAnswer {
    let response: { status: number; body: string };
    try {
      validateGraphRequest(cluster.channel, cluster.arch);
      const served = this.deps.served.body(cluster.channel, cluster.arch);
      response = { status: served.status, body: served.text() };
    } catch (err) {
      if (!(err instanceof UpstreamError)) throw err;
      response = { status: err.status, body: JSON.stringify(err.toBody()) };
    }
    const view = clusterView(cluster, response);
    const hints: string[] = [];
    const keys = this.deps.served.keys();
    if (view.retrievedUpdates.reason === 'VersionNotFound') {
      const arches = keys.filter((k) => k.channel === cluster.channel).map((k) => k.arch);
      if (arches.length === 0) hints.push(`channel "${cluster.channel}" does not exist or lists no releases`);
      else if (!arches.includes(cluster.arch)) hints.push(`channel "${cluster.channel}" serves ${arches.join(', ')}, not ${cluster.arch}`);
      const listing = keys
        .filter((k) => k.arch === cluster.arch && k.channel !== cluster.channel)
        .filter((k) => this.lists(k.channel, k.arch, cluster.version))
        .map((k) => k.channel);
      if (listing.length > 0) hints.push(`${cluster.version} is in ${listing.join(', ')}: switch the cluster's channel, or add the version to "${cluster.channel}"`);
      else hints.push(`no channel lists ${cluster.version} for ${cluster.arch}: add it to "${cluster.channel}" (kus channel add ${cluster.channel} ${cluster.version})`);
    }
    return { ...view, hints };
  }

  /** Everything about one release of one arch, from the served graphs (so exactly what clusters are offered). */
  async release(version: string, arch: string): Promise<ReleaseView | null> {
    validateGraphRequest('x', arch);
    let found: ReleaseView | null = null;
    const listing = this.deps.served.keys().filter((k) => k.arch === arch && this.lists(k.channel, arch, version));
    for (const { channel } of listing.sort((a, b) => a.channel.localeCompare(b.channel))) {
      const graph = this.graph(channel, arch);
      const at = graph.nodes.findIndex((n) => n.version === version);
      if (at < 0) continue;
      const node = graph.nodes[at]!;
      found ??= { version, arch, payload: node.payload, digest: payloadDigest(node.payload), metadata: node.metadata, channels: [], signatures: null };
      const incoming: ReleaseEdge[] = graph.edges.filter(([, b]) => b === at).map(([a]) => ({ version: graph.nodes[a]!.version, risks: [] }));
      const outgoing: ReleaseEdge[] = graph.edges.filter(([a]) => a === at).map(([, b]) => ({ version: graph.nodes[b]!.version, risks: [] }));
      for (const group of graph.conditionalEdges) {
        for (const e of group.edges) {
          if (e.to === version) incoming.push({ version: e.from, risks: group.risks });
          if (e.from === version) outgoing.push({ version: e.to, risks: group.risks });
        }
      }
      found.channels.push({ channel, incoming, outgoing });
    }
    if (found?.digest && this.deps.signing) found.signatures = await this.deps.signing.verifyDigest(found.digest);
    return found;
  }

  /** The signature ConfigMap of a digest as YAML for `oc apply -f -`; null when nothing signed it (or no signatures here). */
  signatureConfigMap(digest: string): string | null {
    const files = this.deps.signing?.signatureFiles(digest) ?? [];
    return files.length === 0 ? null : renderManifests([signatureConfigMap(digest, files)]);
  }
}
