// The upstream fixture comparison (shared/spec/fixtures.md §1.3): nodes as (version, payload, metadata) and edges
// as version pairs, after deleting the two removal labels; order and conditional edges are not compared.
import { toRawGraph, type Graph, type RawGraph } from '../../src/graph/index.js';

const IGNORED = ['io.openshift.upgrades.graph.previous.remove_regex', 'io.openshift.upgrades.graph.previous.remove'];

export interface ComparableGraph {
  nodes: Map<string, string>;
  edges: Set<string>;
}

export function comparable(input: Graph | RawGraph): ComparableGraph {
  const raw = 'nodes' in input && Array.isArray(input.nodes) ? (input as RawGraph) : toRawGraph(input as Graph);
  const nodes = new Map<string, string>();
  for (const n of raw.nodes) {
    const metadata = Object.entries(n.metadata ?? {}).filter(([k]) => !IGNORED.includes(k)).sort(([a], [b]) => (a < b ? -1 : 1));
    nodes.set(n.version, JSON.stringify(n.payload === undefined && n.metadata === undefined ? null : [n.payload ?? '', metadata]));
  }
  const edges = new Set(raw.edges.map(([f, t]) => `${raw.nodes[f]!.version} -> ${raw.nodes[t]!.version}`));
  return { nodes, edges };
}

/** Differences in a readable form; empty when the graphs are equal under the upstream comparison. */
export function differences(left: ComparableGraph, right: ComparableGraph, max = 20): string[] {
  const out: string[] = [];
  for (const [v, n] of left.nodes) {
    if (!right.nodes.has(v)) out.push(`node ${v} only on the left`);
    else if (right.nodes.get(v) !== n) out.push(`node ${v} differs:\n  left  ${n}\n  right ${right.nodes.get(v)}`);
  }
  for (const v of right.nodes.keys()) if (!left.nodes.has(v)) out.push(`node ${v} only on the right`);
  for (const e of left.edges) if (!right.edges.has(e)) out.push(`edge ${e} only on the left`);
  for (const e of right.edges) if (!left.edges.has(e)) out.push(`edge ${e} only on the right`);
  return out.slice(0, max);
}
