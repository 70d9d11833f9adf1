// The order in which the full graph is built (graph-semantics §1): releases → graph-data → edge rules.
// Per-request filtering (channel, then architecture) is separate: see views.ts.
import type { CanaryList, Rollout } from './rollout.js';
import type { Graph } from './graph.js';
import { graphFromRaw } from './raw-graph.js';
import { collectWarnings, type Step } from './step.js';
import { addLabelledEdges } from './steps/add-labelled-edges.js';
import { applyBlockedEdges } from './steps/apply-blocked-edges.js';
import { applyChannels } from './steps/apply-channels.js';
import { applyRawMetadata } from './steps/apply-raw-metadata.js';
import { checkSchemaVersion } from './steps/check-schema-version.js';
import { declareConditionalEdges } from './steps/declare-conditional-edges.js';
import { materializeConditionalEdges } from './steps/materialize-conditional-edges.js';
import { graphFromReleases, workingCopy } from './steps/releases-to-graph.js';
import { removeFlaggedReleases } from './steps/remove-flagged-releases.js';
import { removeLabelledEdges } from './steps/remove-labelled-edges.js';
import { sortChannelLabels } from './steps/sort-channel-labels.js';
import type { BuildWarning, GraphData, RawGraph, Release } from './types.js';

/**
 * Step B, in upstream's order: the schema check first (a bad version stops everything); raw metadata before
 * blocked edges, because a plain block overwrites previous.remove_regex; plain blocks before conditional edges,
 * which append to it; channels last, then their labels sorted once.
 */
export const graphDataSteps: readonly Step[] = [
  checkSchemaVersion,
  applyRawMetadata,
  applyBlockedEdges,
  declareConditionalEdges,
  applyChannels,
  sortChannelLabels,
];

/**
 * Step C: every addition, then conditional edges computed on the added edges, then every removal — so a removal
 * wins over an addition, and no removal can suppress a conditional edge.
 */
export const edgeSteps: readonly Step[] = [addLabelledEdges, materializeConditionalEdges, removeLabelledEdges];

/** Upstream's node-remove plugin, off by default as in upstream's pipelines; it runs last, on the final edges. */
export const nodeRemoveSteps: readonly Step[] = [removeFlaggedReleases];

export interface BuildInput {
  /** Releases (step A builds the raw graph from them)... */
  releases?: readonly Release[];
  /** ...or a graph-builder document that already is the raw graph. */
  raw?: RawGraph;
  /** Step A of `releases`, made already (extendedGraph): the build runs on a working copy and leaves it as it is. */
  stepA?: Graph;
  /** Without graph-data only the edge rules run. */
  graphData?: GraphData;
  /** Also drop releases labelled release.remove=true (upstream's optional node-remove step). */
  nodeRemove?: boolean;
}

export interface BuildResult {
  graph: Graph;
  warnings: BuildWarning[];
  /** The graph-data's rollouts and canaries, passed through: they do not change the graph, only which edges a body shows. */
  rollouts: Rollout[];
  canaries: CanaryList[];
}

const NO_GRAPH_DATA: GraphData = { schemaVersion: '1.0.0', rawMetadata: [], blockedEdges: [], conditionalEdges: [], channels: [] };

/** Builds the full graph (all channels and architectures, versions with +arch). Throws KusError when upstream would abort. */
export function buildGraph(input: BuildInput): BuildResult {
  const warnings: BuildWarning[] = [];
  const graph = input.raw ? graphFromRaw(input.raw) : input.stepA ? workingCopy(input.stepA) : graphFromReleases(input.releases ?? []);
  const graphData = input.graphData ?? NO_GRAPH_DATA;
  const steps = [...(input.graphData ? graphDataSteps : []), ...edgeSteps, ...(input.nodeRemove ? nodeRemoveSteps : [])];
  for (const step of steps) step.run(graph, { graphData, warn: collectWarnings(warnings, step.name) });
  return { graph, warnings, rollouts: graphData.rollouts ?? [], canaries: graphData.canaries ?? [] };
}
