// A planned write: the value and warnings to report, the graph input it leads to, and the store calls that make it.
import { graphDataOf } from '../../graph/index.js';
import type { GraphInput, Store } from '../../store/index.js';
import type { Applied } from './audited-write.js';

export interface Plan<T> extends Applied<T> {
  /** The graph input after the change: built (and so checked) before anything is written. */
  candidate: GraphInput;
  /** The repository calls that make the store hold `candidate`. Not called when `changed` is false. */
  write(store: Store): void;
}

/** Nothing to do: the store already holds what was asked. */
export function unchanged<T>(current: GraphInput, value: T, warnings: string[] = []): Plan<T> {
  return { value, warnings, changed: false, candidate: current, write: () => undefined };
}

/** Every blocked-edges file name in use, plain and conditional (they share one folder). */
export function edgeFileNames(input: GraphInput): Set<string> {
  return new Set([...input.graphData.blockedEdges, ...input.graphData.conditionalEdges].map((e) => e.file));
}

export function withGraphData(input: GraphInput, change: Partial<GraphInput['graphData']>): GraphInput {
  return { releases: input.releases, graphData: graphDataOf({ ...input.graphData, ...change }) };
}
