// Lookups the graph-data steps share: nodes by version-ignoring-build, and the set of build lists in the graph.
import type { Graph, GraphNode } from '../graph.js';
import { buildText, keyIgnoringBuild, parseSemver, type SemVer } from '../semver.js';

export interface IndexedNode {
  node: GraphNode;
  semver: SemVer;
}

/** Concrete nodes grouped by SemVer equality ignoring build metadata. */
export function concreteByVersion(graph: Graph): Map<string, IndexedNode[]> {
  const index = new Map<string, IndexedNode[]>();
  for (const node of graph.nodes.values()) {
    if (!node.concrete) continue;
    const semver = parseSemver(node.version);
    if (!semver) continue;
    const key = keyIgnoringBuild(semver);
    const list = index.get(key);
    if (list) list.push({ node, semver });
    else index.set(key, [{ node, semver }]);
  }
  return index;
}

/** Every distinct build list among parsable node versions, placeholders included ("ARCHS", graph-semantics §6.4.2). */
export function buildLists(graph: Graph): Array<readonly string[]> {
  const seen = new Map<string, readonly string[]>();
  for (const node of graph.nodes.values()) {
    const v = parseSemver(node.version);
    if (v) seen.set(buildText(v), v.build);
  }
  return [...seen.values()];
}
