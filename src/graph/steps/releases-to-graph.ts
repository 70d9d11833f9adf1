// Step A: one node per release (version with +arch) and edges from each release's previous/next lists.
import { KusError, quote } from '../../errors/index.js';
import { Graph, refuseSelfEdge, type GraphNode } from '../graph.js';
import { KEY } from '../keys.js';
import { formatSemver, parseSemver, requireSemver, withBuild } from '../semver.js';
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
  // Thousands of releases name the same few hundred versions: rewrite each (version, build) once.
  const rewritten = new Map<string, Map<string, string>>();
  releases.forEach((r, i) => {
    if (r.previous.length === 0 && r.next.length === 0) return;
    const version = versions[i]!;
    const build = parseSemver(version)?.build ?? [];
    const buildKey = build.join('.');
    let forBuild = rewritten.get(buildKey);
    if (forBuild === undefined) rewritten.set(buildKey, (forBuild = new Map()));
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
  });
  graph.assertAcyclic();
  return graph;
}
