// A served graph (one channel, one architecture) turned back into releases and graph-data that rebuild it:
// edges become `previous`, channel labels become channel files, conditional edges become conditional-edge files.
import { KusError, quote } from '../errors/index.js';
import { KEY } from './keys.js';
import { parseRawGraph } from './raw-graph.js';
import { channelDoc, graphDataOf } from './shapes.js';
import type { ChannelDoc, ConditionalEdgeDoc, GraphData, Release, Risk } from './types.js';
import { payloadDigest } from './validate.js';

const escapeVersion = (v: string): string => v.replace(/[.+]/g, (c) => `[${c}]`);

export interface ServedInput {
  releases: Release[];
  graphData: GraphData;
}

/** Risk names of one target in an order consistent with every group's list (upstream keeps file order). */
function riskOrder(lists: string[][]): string[] {
  const names = [...new Set(lists.flat())];
  const before = new Map(names.map((n) => [n, new Set<string>()]));
  for (const list of lists) list.forEach((n, i) => { if (i > 0) before.get(n)!.add(list[i - 1]!); });
  const order: string[] = [];
  while (order.length < names.length) {
    const next = names.find((n) => !order.includes(n) && [...before.get(n)!].every((p) => order.includes(p)));
    if (next === undefined) throw new KusError('KUS_ERR_RAW_GRAPH', `risks ${quote(names)} are listed in contradicting orders`);
    order.push(next);
  }
  return order;
}

function conditionalDocs(groups: Array<{ edges: Array<{ from: string; to: string }>; risks: Risk[] }>): ConditionalEdgeDoc[] {
  // One file per (target, risk), its `from` an alternation of the exact sources, anchored before "+arch";
  // files are named so that their order reproduces each group's risk order.
  interface TargetRisks { lists: string[][]; risks: Map<string, { risk: Risk; froms: string[] }> }
  const byTarget = new Map<string, TargetRisks>();
  for (const group of groups) {
    for (const edge of group.edges) {
      const target: TargetRisks = byTarget.get(edge.to) ?? { lists: [], risks: new Map() };
      byTarget.set(edge.to, target);
      target.lists.push(group.risks.map((r) => r.name));
      for (const risk of group.risks) {
        const entry = target.risks.get(risk.name) ?? { risk, froms: [] };
        target.risks.set(risk.name, entry);
        if (!entry.froms.includes(edge.from)) entry.froms.push(edge.from);
      }
    }
  }
  const docs: ConditionalEdgeDoc[] = [];
  for (const [to, { lists, risks }] of byTarget) {
    riskOrder(lists).forEach((name, i) => {
      const { risk, froms } = risks.get(name)!;
      docs.push({ file: `${to}-${String(i).padStart(3, '0')}-${name}.yaml`, to, from: `^(${froms.map(escapeVersion).join('|')})[+]`, risk });
    });
  }
  return docs.sort((a, b) => (a.file < b.file ? -1 : 1));
}

/** `arch` is the architecture the document was requested for (served versions no longer carry it). */
export function inputFromServed(json: unknown, arch: string): ServedInput {
  const served = parseRawGraph(json);
  const releases: Release[] = served.nodes.map((n) => {
    if (n.payload === undefined) throw new KusError('KUS_ERR_RAW_GRAPH', `served node ${quote(n.version)} has no payload`);
    const { [KEY.channels]: _channels, [KEY.manifestref]: manifestref, [KEY.arch]: _arch, ...metadata } = n.metadata ?? {};
    return { version: n.version, arch, payload: n.payload, digest: manifestref ?? payloadDigest(n.payload), metadata, previous: [], next: [] };
  });
  for (const [from, to] of served.edges) releases[to]!.previous.push(served.nodes[from]!.version);

  const members = new Map<string, string[]>();
  for (const n of served.nodes) {
    for (const name of (n.metadata?.[KEY.channels] ?? '').split(',').map((c) => c.trim()).filter((c) => c !== '')) {
      const list = members.get(name) ?? [];
      members.set(name, list);
      list.push(n.version);
    }
  }
  const channels: ChannelDoc[] = [...members].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, versions]) => channelDoc(`${name}.yaml`, name, versions));

  // Conditional updates are also updates: their edges must exist for the risks to attach (graph-semantics §8.2).
  const conditional = (served.conditionalEdges ?? []) as Array<{ edges: Array<{ from: string; to: string }>; risks: Risk[] }>;
  const byVersion = new Map(releases.map((r) => [r.version, r]));
  for (const group of conditional) {
    for (const e of group.edges) {
      const target = byVersion.get(e.to);
      if (!target || !byVersion.has(e.from)) throw new KusError('KUS_ERR_RAW_GRAPH', `conditional edge ${quote(e.from)} → ${quote(e.to)} names a version that is not a node`);
      if (!target.previous.includes(e.from)) target.previous.push(e.from);
    }
  }
  const graphData = graphDataOf({ schemaVersion: '1.2.0', rawMetadata: [], blockedEdges: [], conditionalEdges: conditionalDocs(conditional), channels });
  return { releases, graphData };
}
