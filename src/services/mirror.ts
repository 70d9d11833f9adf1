// `kus mirror`: an upstream graph document (what a Cincinnati server serves for one channel and arch) merged into
// the store as releases, channel membership and conditional edges, with payload repositories rewritten like an
// ImageDigestMirrorSet (digests kept). One transaction with its audit row, then one rebuild.
//
// Why not a sequence of Publisher calls: a mirrored channel is hundreds of releases and thousands of edges; one
// Publisher write per release would rebuild the graph hundreds of times, and a refusal half way (a digest conflict)
// would leave half a channel behind. The merge below is validated and trial-built as a whole, then written at once.
import { KusError, quote } from '../errors/index.js';
import {
  buildGraph, channelDoc, graphDataOf, inputFromServed, KEY, payloadDigest, releaseNodeVersion, withVersions, type BuildResult, type ChannelDoc, type ConditionalEdgeDoc, type Release,
} from '../graph/index.js';
import type { GraphInput, Store } from '../store/index.js';
import { auditedWrite } from './publish/audited-write.js';
import { withoutOrphanRollouts } from './publish/rollouts.js';
import type { Actor, WriteResult } from './publish/types.js';
import { requireArch, requireChannelName } from './publish/validate.js';

/** Repository prefix `from` is replaced by `to` (ImageDigestMirrorSet `source` → `mirrors[0]`). */
export interface Rewrite {
  from: string;
  to: string;
}

export interface MirrorInput {
  /** The served graph document ({version, nodes, edges, conditionalEdges}), parsed JSON. */
  document: unknown;
  channel: string;
  arch: string;
  rewrites?: Rewrite[];
  /** Where the document came from (URL or file), for the audit log. */
  source: string;
}

export interface MirrorReport {
  channel: string;
  arch: string;
  source: string;
  /** Releases new to the store, already stored (edges/metadata merged), and unchanged. */
  added: number;
  updated: number;
  unchanged: number;
  /** Updates (edges) in the document, conditional ones included. */
  edges: number;
  conditionalEdges: number;
  /** Payloads whose repository a rewrite changed. */
  rewritten: number;
}

// registry[:port]/path, no tag or digest: what an ImageDigestMirrorSet names.
const REPOSITORY_RE = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;

/** Parses `FROM=TO`; both must be repository prefixes without tag or digest. */
export function parseRewrite(text: string): Rewrite {
  const eq = text.indexOf('=');
  const from = eq < 0 ? '' : text.slice(0, eq).trim();
  const to = eq < 0 ? '' : text.slice(eq + 1).trim();
  for (const [what, value] of [['FROM', from], ['TO', to]] as const) {
    if (!REPOSITORY_RE.test(value)) {
      throw new KusError('KUS_ERR_BAD_REQUEST',
        `rewrite ${quote(text)}: ${what} ${quote(value)} is not a repository prefix (registry[:port]/path, lower case, no tag or digest); ` +
        'write it as FROM=TO, e.g. quay.io/openshift-release-dev/ocp-release=registry.local/ocp4/release', { rewrite: text });
    }
  }
  return { from, to };
}

/** The payload with its repository rewritten by the longest matching prefix (on "/" boundaries); the digest is kept. */
export function rewritePayload(payload: string, rewrites: readonly Rewrite[]): string {
  const at = payload.indexOf('@');
  const repo = at < 0 ? payload : payload.slice(0, at);
  let best: Rewrite | undefined;
  for (const r of rewrites) {
    if ((repo === r.from || repo.startsWith(`${r.from}/`)) && (!best || r.from.length > best.from.length)) best = r;
  }
  return best ? `${best.to}${repo.slice(best.from.length)}${at < 0 ? '' : payload.slice(at)}` : payload;
}

const nodeOf = (r: Pick<Release, 'version' | 'arch'>): string => releaseNodeVersion(r as Release);
const union = (a: readonly string[], b: readonly string[]): string[] => [...new Set([...a, ...b])];
/** Conditional edges of one mirrored channel and arch carry this file prefix, so a new mirror replaces them. */
const filePrefix = (channel: string, arch: string): string => `mirror-${channel}-${arch}-`;

/** Served conditional edges name versions without the arch; pinned to the arch so other arches are not affected. */
function pinToArch(doc: ConditionalEdgeDoc, channel: string, arch: string): ConditionalEdgeDoc {
  if (!doc.from.endsWith('[+]')) throw new KusError('KUS_ERR_INTERNAL', `unexpected conditional edge source ${quote(doc.from)}`);
  return { ...doc, file: `${filePrefix(channel, arch)}${doc.file}`, to: `${doc.to}+${arch}`, from: `${doc.from}${arch}$` };
}

interface Merge {
  after: GraphInput;
  report: MirrorReport;
  warnings: string[];
}

function merge(current: GraphInput, input: MirrorInput, channel: string, arch: string): Merge {
  const mirrored = inputFromServed(input.document, arch);
  const rewrites = input.rewrites ?? [];
  const warnings: string[] = [];
  const report: MirrorReport = { channel, arch, source: input.source, added: 0, updated: 0, unchanged: 0, edges: 0, conditionalEdges: 0, rewritten: 0 };

  // The document must be the graph of the channel asked for: its nodes say which channels they are in.
  // inputFromServed validated the document and keeps node order, so node i is release i.
  const doc = input.document as { nodes?: Array<{ metadata?: Record<string, string> }>; conditionalEdges?: Array<{ edges: unknown[] }> };
  const inChannel = (i: number): boolean => (doc.nodes?.[i]?.metadata?.[KEY.channels] ?? '').split(',').map((c) => c.trim()).includes(channel);
  const outside = mirrored.releases.filter((_r, i) => !inChannel(i));
  if (mirrored.releases.length > 0 && outside.length === mirrored.releases.length) {
    const named = [...new Set(mirrored.graphData.channels.map((c) => c.name))].sort();
    throw new KusError('KUS_ERR_RAW_GRAPH',
      `the document from ${quote(input.source)} is not the graph of channel ${quote(channel)}: its nodes are in ${named.length > 0 ? named.join(', ') : 'no channel'}`,
      { source: input.source, channel });
  }
  if (outside.length > 0) warnings.push(`${outside.length} nodes do not name ${channel} in their channels; mirrored into ${channel} anyway`);

  const byNode = new Map(current.releases.map((r) => [nodeOf(r), r]));
  for (const m of mirrored.releases) {
    const payload = rewritePayload(m.payload, rewrites);
    if (payload !== m.payload) report.rewritten++;
    if (!payloadDigest(payload)) {
      throw new KusError('KUS_ERR_INVALID_PAYLOAD', `node ${quote(m.version)} has payload ${quote(m.payload)}, which is not by digest`, { version: m.version });
    }
    report.edges += m.previous.length;
    const release: Release = { ...m, payload };
    const node = nodeOf(release);
    const stored = byNode.get(node);
    if (!stored) {
      byNode.set(node, release);
      report.added++;
      continue;
    }
    if (stored.digest !== release.digest) {
      throw new KusError('KUS_ERR_DIGEST_MISMATCH',
        `${node} is stored with ${stored.digest ?? 'no digest'}; the document from ${quote(input.source)} has ${release.digest ?? 'no digest'}. ` +
        'Releases are immutable: nothing was mirrored', { version: node, stored: stored.digest, mirrored: release.digest });
    }
    // Edges are added, never removed: another channel's mirror may have contributed the others.
    const merged: Release = { ...stored, payload, previous: union(stored.previous, release.previous), metadata: { ...stored.metadata, ...release.metadata } };
    if (JSON.stringify(merged) === JSON.stringify(stored)) report.unchanged++;
    else {
      byNode.set(node, merged);
      report.updated++;
    }
  }

  // Channel membership: the mirrored versions are added to the channel (other arches and local releases stay).
  const versions = mirrored.releases.map((r) => r.version);
  const channels: ChannelDoc[] = current.graphData.channels.map((c) => withVersions(c, [...c.versions]));
  const docs = channels.filter((c) => c.name === channel);
  if (docs.length === 0) channels.push(channelDoc(`${channel}.yaml`, channel, versions));
  else docs[0]!.versions = union(docs[0]!.versions, versions.filter((v) => !docs.some((d) => d.versions.includes(v))));
  channels.sort((a, b) => (a.file < b.file ? -1 : 1));

  // This channel and arch's conditional edges from an earlier mirror are replaced by the document's.
  const prefix = filePrefix(channel, arch);
  const pinned = mirrored.graphData.conditionalEdges.map((d) => pinToArch(d, channel, arch));
  const conditionalEdges = [...current.graphData.conditionalEdges.filter((d) => !d.file.startsWith(prefix)), ...pinned]
    .sort((a, b) => (a.file < b.file ? -1 : 1));
  report.conditionalEdges = (doc.conditionalEdges ?? []).reduce((n, g) => n + (Array.isArray(g.edges) ? g.edges.length : 0), 0);

  // A mirror only adds to channels today; should that change, no rollout may outlive its version's place in a channel.
  const after: GraphInput = withoutOrphanRollouts({
    releases: [...byNode.values()],
    graphData: graphDataOf({ ...current.graphData, channels, conditionalEdges }),
  });
  return { after, report, warnings };
}

export interface MirrorDeps {
  store: Store;
  /** Swaps in the served graph, given the build of the merged input (see PublisherDeps.rebuild). */
  rebuild: (built: BuildResult) => unknown;
}

export class Mirror {
  private readonly store: Store;
  private readonly rebuild: (built: BuildResult) => unknown;

  constructor(deps: MirrorDeps) {
    this.store = deps.store;
    this.rebuild = deps.rebuild;
  }

  /**
   * Merges the document into the store (see the file comment); refuses, changing nothing, a document that is not a
   * served graph, names another channel, or gives a stored release another digest.
   */
  apply(actor: Actor, input: MirrorInput): WriteResult<MirrorReport> {
    const what = { action: 'graph.mirror', target: `${String(input.channel)}/${String(input.arch)}`, request: { source: input.source, channel: input.channel, arch: input.arch, rewrites: input.rewrites ?? [] } };
    let served: BuildResult | undefined;
    const result = auditedWrite(this.store, actor, what, () => {
      const channel = requireChannelName(input.channel);
      const arch = requireArch(input.arch);
      const current = this.store.loadGraphInput();
      const { after, report, warnings } = merge(current, input, channel, arch);
      // A merge that would abort a rebuild (a cycle with stored releases...) never reaches the store.
      const built = buildGraph(after);
      // Upstream graphs carry many tolerated oddities; the first few are enough to read.
      for (const w of built.warnings.slice(0, 20)) warnings.push(`${w.step}: ${w.message}`);
      if (built.warnings.length > 20) warnings.push(`… and ${built.warnings.length - 20} more build warnings`);
      const changed = report.added + report.updated > 0 || JSON.stringify(after.graphData) !== JSON.stringify(current.graphData);
      if (changed) this.store.replaceAll(after);
      served = built;
      const { source, added, updated, rewritten } = report;
      return { value: report, warnings, changed, before: null, after: { source, added, updated, rewritten } };
    });
    if (result.changed && served) this.rebuild(served);
    return result;
  }
}
