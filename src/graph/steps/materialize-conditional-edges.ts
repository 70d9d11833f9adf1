// Step C.3: conditional-edge declarations become conditional edges on the edges that exist after the additions
// and before any removal; pairs sharing the same risk list form one group (graph-semantics §8.2).
import type { GraphNode } from '../graph.js';
import { compileRegex } from '../regex.js';
import { riskIds } from '../risk-ids.js';
import { baseOf } from '../semver.js';
import type { Step } from '../step.js';
import type { ConditionalGroup, Risk } from '../types.js';

interface PairRisks {
  from: string;
  to: string;
  risks: Risk[];
  /** Content ids of `risks`, in order: pairs with equal lists share a group. */
  ids: number[];
}

export const materializeConditionalEdges: Step = {
  name: 'materialize-conditional-edges',
  run(graph) {
    const byBase = new Map<string, GraphNode[]>();
    for (const node of graph.nodes.values()) {
      const base = baseOf(node.version);
      const list = byBase.get(base);
      if (list) list.push(node);
      else byBase.set(base, [node]);
    }
    // Risks are grouped by content. Giving each risk a small id once (not serializing each pair's list, as a first
    // version did: at upstream scale that was half of the whole build) and comparing ids gives the same grouping.
    const idOf = riskIds();
    // Pairs in the order they are first found (which fixes the order of the groups), looked up by target, then parent.
    const pairs: PairRisks[] = [];
    const byTarget = new Map<string, Map<string, PairRisks>>();
    for (const decl of graph.declarations) {
      const targets = decl.to.includes('+') ? [graph.nodes.get(decl.to)].filter((n) => n !== undefined) : byBase.get(decl.to) ?? [];
      const from = decl.fromRegex === '.*' ? null : compileRegex(decl.fromRegex, 'from');
      const id = idOf(decl.risk);
      for (const target of targets) {
        let forTarget = byTarget.get(target.version);
        for (const parent of graph.parents.get(target.version) ?? []) {
          if (from && !from.test(parent)) continue;
          if (forTarget === undefined) byTarget.set(target.version, (forTarget = new Map()));
          let entry = forTarget.get(parent);
          if (entry === undefined) {
            // Lists made with their first item: an empty array grown by push reserves room for 17 (60,000 pairs at
            // upstream scale, most with one risk).
            forTarget.set(parent, (entry = { from: parent, to: target.version, risks: [decl.risk], ids: [id] }));
            pairs.push(entry);
          } else if (!entry.risks.some((r) => r.name === decl.risk.name)) {
            // The ClusterVersion API keys risks by name: a second risk of the same name on one update is dropped.
            entry.risks.push(decl.risk);
            entry.ids.push(id);
          }
        }
      }
    }
    const groups = new Map<string, ConditionalGroup>();
    for (const { from, to, risks, ids } of pairs) {
      const key = ids.length === 1 ? String(ids[0]) : ids.join(',');
      const group = groups.get(key);
      if (group) group.edges.push({ from, to });
      else groups.set(key, { edges: [{ from, to }], risks });
    }
    graph.conditional = [...groups.values()];
  },
};
