// Step C.3: conditional-edge declarations become conditional edges on the edges that exist after the additions
// and before any removal; pairs sharing the same risk list form one group (graph-semantics §8.2).
import type { GraphNode } from '../graph.js';
import { compileRegex } from '../regex.js';
import { riskIds } from '../risk-ids.js';
import { baseOf } from '../semver.js';
import type { Step } from '../step.js';
import type { ConditionalGroup, Risk } from '../types.js';

/** The pairs found for one target: its parents in set order, and the pair index of each (-1: none yet). */
interface TargetPairs {
  parents: string[];
  pair: Int32Array;
}

/** Risks of the pairs after the first, found for a few pairs only: the first risk and its id are kept in flat lists. */
interface MoreRisks {
  risks: Risk[];
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
    // Pairs in the order they are first found (which fixes the order of the groups), as flat lists: an object and two
    // arrays per pair, with a map of parents per target, were most of this step at upstream scale (12,600 pairs per
    // architecture, nearly all with one risk).
    const from: string[] = [];
    const to: string[] = [];
    const firstRisk: Risk[] = [];
    const firstId: number[] = [];
    const more = new Map<number, MoreRisks>();
    const byTarget = new Map<string, TargetPairs>();
    for (const decl of graph.declarations) {
      const targets = decl.to.includes('+') ? [graph.nodes.get(decl.to)].filter((n) => n !== undefined) : byBase.get(decl.to) ?? [];
      const fromRegex = decl.fromRegex === '.*' ? null : compileRegex(decl.fromRegex, 'from');
      const id = idOf(decl.risk);
      for (const target of targets) {
        let pairs = byTarget.get(target.version);
        if (pairs === undefined) {
          const parents = [...(graph.parents.get(target.version) ?? [])];
          byTarget.set(target.version, (pairs = { parents, pair: new Int32Array(parents.length).fill(-1) }));
        }
        const { parents, pair } = pairs;
        for (let k = 0; k < parents.length; k++) {
          const parent = parents[k]!;
          if (fromRegex && !fromRegex.test(parent)) continue;
          const index = pair[k]!;
          if (index < 0) {
            pair[k] = from.length;
            from.push(parent);
            to.push(target.version);
            firstRisk.push(decl.risk);
            firstId.push(id);
            continue;
          }
          // The ClusterVersion API keys risks by name: a second risk of the same name on one update is dropped.
          const extra = more.get(index);
          if (firstRisk[index]!.name === decl.risk.name || extra?.risks.some((r) => r.name === decl.risk.name)) continue;
          if (extra === undefined) more.set(index, { risks: [firstRisk[index]!, decl.risk], ids: [firstId[index]!, id] });
          else {
            extra.risks.push(decl.risk);
            extra.ids.push(id);
          }
        }
      }
    }
    const single = new Map<number, ConditionalGroup>();
    const multiple = new Map<string, ConditionalGroup>();
    const groups: ConditionalGroup[] = [];
    for (let i = 0; i < from.length; i++) {
      const extra = more.get(i);
      const key = extra?.ids.join(',');
      const edge = { from: from[i]!, to: to[i]! };
      const group = key === undefined ? single.get(firstId[i]!) : multiple.get(key);
      if (group) {
        group.edges.push(edge);
        continue;
      }
      const made: ConditionalGroup = { edges: [edge], risks: extra === undefined ? [firstRisk[i]!] : extra.risks };
      if (key === undefined) single.set(firstId[i]!, made);
      else multiple.set(key, made);
      groups.push(made);
    }
    graph.conditional = groups;
  },
};
