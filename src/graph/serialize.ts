// JSON text of graphs: the served v1 document and the unfiltered graph-builder document.
import type { Graph } from './graph.js';
import { compareVersionText } from './semver.js';
import type { ConditionalGroup, MatchingRule, Metadata, RawGraph, RawNode, Risk, ServedGraph } from './types.js';

const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A rule as clusters expect it: the promql object only when there is a query. */
function canonicalRule(rule: MatchingRule): MatchingRule {
  return rule.promql && rule.promql.promql !== '' ? { type: rule.type, promql: { promql: rule.promql.promql } } : { type: rule.type };
}

export function canonicalRisk(risk: Risk): Risk {
  return { url: risk.url, name: risk.name, message: risk.message, matchingRules: risk.matchingRules.map(canonicalRule) };
}

export function canonicalGroups(groups: ConditionalGroup[]): ConditionalGroup[] {
  return groups.map((g) => ({ edges: g.edges.map((e) => ({ from: e.from, to: e.to })), risks: g.risks.map(canonicalRisk) }));
}

/** The exact bytes a cluster receives; field order as upstream: version, nodes, edges, conditionalEdges. */
export function serializeServed(view: ServedGraph): string {
  return JSON.stringify({ version: 1, nodes: view.nodes, edges: view.edges, conditionalEdges: canonicalGroups(view.conditionalEdges) });
}

/** The full graph as a graph-builder document: versions keep +arch, placeholders are `{version}` only. */
export function toRawGraph(graph: Graph): RawGraph {
  const versions = [...graph.nodes.keys()].sort(compareVersionText);
  const index = new Map(versions.map((v, i) => [v, i]));
  const nodes: RawNode[] = versions.map((v) => {
    const node = graph.nodes.get(v)!;
    if (!node.concrete) return { version: v };
    const keys = [...node.metadata.keys()].sort(byteOrder);
    const metadata: Metadata = Object.fromEntries(keys.map((k) => [k, node.metadata.get(k)!]));
    return { version: v, payload: node.payload, metadata };
  });
  const edges: Array<[number, number]> = [];
  for (const [from, to] of graph.edges()) edges.push([index.get(from)!, index.get(to)!]);
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return { nodes, edges, conditionalEdges: canonicalGroups(graph.conditional) };
}

export function serializeFull(graph: Graph): string {
  return JSON.stringify(toRawGraph(graph));
}
