// Step C.3: conditional-edge declarations become conditional edges on the edges that exist after the additions
// and before any removal; pairs sharing the same risk list form one group (graph-semantics §8.2).
import type { GraphNode } from '../graph.js';
import { compileRegex } from '../regex.js';
import { baseOf } from '../semver.js';
import type { Step } from '../step.js';
import type { ConditionalGroup, Risk } from '../types.js';

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
    const risksByPair = new Map<string, { from: string; to: string; risks: Risk[] }>();
    for (const decl of graph.declarations) {
      const targets = decl.to.includes('+') ? [graph.nodes.get(decl.to)].filter((n) => n !== undefined) : byBase.get(decl.to) ?? [];
      const from = decl.fromRegex === '.*' ? null : compileRegex(decl.fromRegex, 'from');
      for (const target of targets) {
        for (const parent of graph.parents.get(target.version) ?? []) {
          if (from && !from.test(parent)) continue;
          const key = `${parent}\u0000${target.version}`;
          const entry = risksByPair.get(key) ?? { from: parent, to: target.version, risks: [] };
          risksByPair.set(key, entry);
          // The ClusterVersion API keys risks by name: a second risk of the same name on one update is dropped.
          if (!entry.risks.some((r) => r.name === decl.risk.name)) entry.risks.push(decl.risk);
        }
      }
    }
    const groups = new Map<string, ConditionalGroup>();
    for (const { from, to, risks } of risksByPair.values()) {
      const key = JSON.stringify(risks);
      const group = groups.get(key);
      if (group) group.edges.push({ from, to });
      else groups.set(key, { edges: [{ from, to }], risks });
    }
    graph.conditional = [...groups.values()];
  },
};
