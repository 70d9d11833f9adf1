// Step C.4–6: previous.remove, previous.remove_regex and next.remove labels drop edges. They run after every
// addition, so a removal always wins over an addition of the same edge.
import type { Graph } from '../graph.js';
import { KEY } from '../keys.js';
import { compileRegex } from '../regex.js';
import type { Step } from '../step.js';
import { labelTargets } from './label-items.js';

function removeAllParents(graph: Graph, version: string): void {
  graph.removeParentsWhere(version, () => true);
}

function removePrevious(graph: Graph): void {
  for (const node of graph.nodes.values()) {
    const value = node.metadata.get(KEY.previousRemove);
    if (value === undefined) continue;
    if (value.trim() === '*') {
      removeAllParents(graph, node.version);
      continue;
    }
    for (const parent of labelTargets(node, KEY.previousRemove)) graph.removeEdge(parent, node.version);
  }
}

function removePreviousByRegex(graph: Graph): void {
  for (const node of graph.nodes.values()) {
    const value = node.metadata.get(KEY.previousRemoveRegex);
    if (value === undefined) continue;
    if (value === '.*') {
      removeAllParents(graph, node.version);
      continue;
    }
    const re = compileRegex(value, `${KEY.previousRemoveRegex} of ${node.version}`);
    graph.removeParentsWhere(node.version, (parent) => re.test(parent));
  }
}

function removeNext(graph: Graph): void {
  for (const node of graph.nodes.values()) {
    for (const child of labelTargets(node, KEY.nextRemove)) graph.removeEdge(node.version, child);
  }
}

export const removeLabelledEdges: Step = {
  name: 'remove-labelled-edges',
  run(graph) {
    removePrevious(graph);
    removePreviousByRegex(graph);
    removeNext(graph);
  },
};
