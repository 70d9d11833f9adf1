// Step C.1–2: previous.add and next.add labels add edges (all previous.add first, then all next.add).
import type { Graph, GraphNode } from '../graph.js';
import { KEY } from '../keys.js';
import type { Step, StepContext } from '../step.js';
import { labelTargets } from './label-items.js';

function addFromLabel(graph: Graph, ctx: StepContext, key: string, edge: (node: GraphNode, other: string) => [string, string]): void {
  for (const node of [...graph.nodes.values()]) {
    for (const other of labelTargets(node, key)) {
      if (!graph.nodes.has(other)) {
        ctx.warn(`${node.version}: ${key} names ${JSON.stringify(other)}, which is not in the graph`);
        continue;
      }
      const [from, to] = edge(node, other);
      graph.addEdge(from, to);
    }
  }
}

export const addLabelledEdges: Step = {
  name: 'add-labelled-edges',
  run(graph, ctx) {
    addFromLabel(graph, ctx, KEY.previousAdd, (node, other) => [other, node.version]);
    addFromLabel(graph, ctx, KEY.nextAdd, (node, other) => [node.version, other]);
    // Upstream refuses an addition that closes a cycle; additions only add, so one check after all of them is equivalent.
    graph.assertAcyclic();
  },
};
