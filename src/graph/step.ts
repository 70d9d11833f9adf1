// What every pipeline step receives besides the graph: the graph-data (for step B) and a place for warnings.
import type { BuildWarning, GraphData } from './types.js';
import type { Graph } from './graph.js';

export interface StepContext {
  graphData: GraphData;
  warn(message: string): void;
}

export interface Step {
  name: string;
  run(graph: Graph, ctx: StepContext): void;
}

export function collectWarnings(into: BuildWarning[], step: string): (message: string) => void {
  return (message) => into.push({ step, message });
}
