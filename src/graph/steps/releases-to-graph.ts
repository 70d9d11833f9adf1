// Step A: one node per release (version with +arch) and edges from each release's previous/next lists.
import { KusError, quote } from '../../errors/index.js';
import { Graph, refuseSelfEdge, type GraphNode } from '../graph.js';
import { KEY } from '../keys.js';
import { buildText, formatSemver, parseSemver, requireSemver, withBuild } from '../semver.js';
import type { Release } from '../types.js';

/** The node version of a release: its SemVer with the build metadata replaced by the architecture. */
export function releaseNodeVersion(release: Pick<Release, 'version' | 'arch'>): string {
  if (release.arch === null) return release.version;
  const v = requireSemver(release.version, 'release version');
  // Text without build metadata or surrounding space is already what formatSemver would write: append the arch.
  if (v.build.length === 0 && release.version.trim() === release.version) return `${release.version}+${release.arch}`;
  return formatSemver(withBuild(v, [release.arch]));
}

function releaseNode(release: Release): GraphNode {
  const metadata = new Map(Object.entries(release.metadata));
  if (release.digest !== null) metadata.set(KEY.manifestref, release.digest);
  if (release.arch !== null) metadata.set(KEY.arch, release.arch);
  return { version: releaseNodeVersion(release), concrete: true, payload: release.payload, metadata };
}

/** Adds a concrete node; the same version twice is fine only with the same manifest digest (upstream rule). */
export function addConcreteNode(graph: Graph, node: GraphNode): void {
  const existing = graph.nodes.get(node.version);
  if (existing?.concrete) {
    const had = existing.metadata.get(KEY.manifestref);
    const has = node.metadata.get(KEY.manifestref);
    if (had !== has) {
      throw new KusError('KUS_ERR_DIGEST_MISMATCH',
        `release ${quote(node.version)} appears twice with different digests (${had ?? 'none'} and ${has ?? 'none'}); clusters cannot tell them apart`,
        { version: node.version, digests: [had, has] });
    }
  }
  graph.addNode(node);
}

/** `p` from a previous/next list, rewritten to the build metadata (architecture) of the release naming it. */
function sameArchVersion(item: string, build: readonly string[], release: string): string {
  const v = parseSemver(item);
  if (!v) {
    throw new KusError('KUS_ERR_INVALID_SEMVER', `release ${quote(release)} lists ${quote(item)} in previous/next, which is not a valid SemVer version`,
      { release, value: item });
  }
  return formatSemver(withBuild(v, build));
}

export function graphFromReleases(releases: readonly Release[]): Graph {
  const graph = new Graph();
  // Lists made by loops, not by `map`, for the reason views.ts's `trimmed` gives.
  const versions: string[] = [];
  for (const r of releases) {
    const node = releaseNode(r);
    addConcreteNode(graph, node);
    versions.push(node.version);
  }
  const rewrites = new Rewrites();
  releases.forEach((r, i) => addReleaseEdges(graph, r, versions[i]!, rewrites));
  graph.assertAcyclic();
  return graph;
}

/**
 * Thousands of releases name the same few hundred versions: each (version, build) is rewritten once per build, and
 * placeholders are added for versions no release provides.
 */
class Rewrites {
  private readonly byBuild = new Map<string, Map<string, string>>();

  for(buildKey: string): Map<string, string> {
    let forBuild = this.byBuild.get(buildKey);
    if (forBuild === undefined) this.byBuild.set(buildKey, (forBuild = new Map()));
    return forBuild;
  }
}

/** The edges of one release's previous and next lists, in step A's order, with placeholders for versions not in the graph. */
function addReleaseEdges(graph: Graph, r: Release, version: string, rewrites: Rewrites): void {
  if (r.previous.length === 0 && r.next.length === 0) return;
  const v = parseSemver(version);
  const build = v?.build ?? [];
  const forBuild = rewrites.for(v === null ? '' : buildText(v));
  const rewrite = (item: string): string => {
    let v = forBuild.get(item);
    if (v === undefined) {
      forBuild.set(item, (v = sameArchVersion(item, build, version)));
      // Nodes are only added here, never removed: a version rewritten before is in the graph already.
      if (!graph.nodes.has(v)) graph.addPlaceholder(v);
    }
    return v;
  };
  const parents: string[] = [];
  for (const p of r.previous) {
    const v = rewrite(p);
    refuseSelfEdge(v, version);
    parents.push(v);
  }
  graph.addParents(version, parents);
  for (const n of r.next) graph.addEdge(version, rewrite(n));
}

/** Step A of some releases, kept as it was made: builds run the pipeline on a working copy (workingCopy). */
export interface ReleasesGraph {
  readonly releases: readonly Release[];
  readonly graph: Graph;
}

/**
 * Step A of `releases`, made from `base` when `releases` are its releases (the same objects, in order) followed by new
 * ones: a publish appends one release to its architecture's list. Equal to graphFromReleases(releases), node order
 * included (releases' nodes, then placeholders). Undefined when `releases` do not extend `base`'s, or when a new
 * release's version is a node already (a placeholder turning concrete keeps its place in a map, not a full build's).
 */
export function extendedGraph(base: ReleasesGraph, releases: readonly Release[]): Graph | undefined {
  const before = base.releases.length;
  if (releases.length < before) return undefined;
  for (let i = 0; i < before; i++) if (releases[i] !== base.releases[i]) return undefined;
  const added: GraphNode[] = [];
  for (let i = before; i < releases.length; i++) {
    const node = releaseNode(releases[i]!);
    if (base.graph.nodes.has(node.version) || added.some((n) => n.version === node.version)) return undefined;
    added.push(node);
  }
  const graph = base.graph.shareEdges(concreteFirst(base.graph, added));
  const rewrites = new Rewrites();
  for (let i = before; i < releases.length; i++) addReleaseEdges(graph, releases[i]!, added[i - before]!.version, rewrites);
  graph.assertAcyclic();
  return graph;
}

/** `graph`'s concrete nodes, then `added`, then its placeholders: the order graphFromReleases adds them in. */
function* concreteFirst(graph: Graph, added: readonly GraphNode[]): Iterable<GraphNode> {
  for (const node of graph.nodes.values()) if (node.concrete) yield node;
  yield* added;
  for (const node of graph.nodes.values()) if (!node.concrete) yield node;
}

/**
 * A copy of step A that the pipeline may change: nodes are new objects (steps set metadata), edge sets are shared
 * with `stepA` and copied by whichever graph changes one first.
 */
export function workingCopy(stepA: Graph): Graph {
  const nodes: GraphNode[] = [];
  for (const n of stepA.nodes.values()) nodes.push({ version: n.version, concrete: n.concrete, payload: n.payload, metadata: new Map(n.metadata) });
  return stepA.shareEdges(nodes);
}
