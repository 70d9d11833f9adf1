// Public surface of the pure graph engine.
export type * from './types.js';
export { Graph, type GraphNode, type ConditionalDeclaration } from './graph.js';
export { buildGraph, graphDataSteps, edgeSteps, type BuildInput, type BuildResult } from './pipeline.js';
export { buildByArch, deferredBuild, type BuildBasis, type ByArchOptions, type Part, type PartSeed, type PartitionedBuild } from './partitioned-build.js';
export type { ReleasesGraph } from './steps/releases-to-graph.js';
export { parseRawGraph, graphFromRaw, releasesFromRawGraph } from './raw-graph.js';
export { releaseNodeVersion } from './steps/releases-to-graph.js';
export { sortChannelLabel } from './steps/sort-channel-labels.js';
export { GraphViews, EMPTY_SERVED } from './views.js';
export { serializeServed, serializeFull, toRawGraph, canonicalRisk } from './serialize.js';
export {
  parseSemver, requireSemver, formatSemver, isStrictSemver, compareSemver, compareVersionText, withBuild, baseOf,
  keyIgnoringBuild, comparePrecedence, type SemVer,
} from './semver.js';
export { compileRegex, isValidRegex, regexSearch } from './regex.js';
export type { RustRegex } from './rust-regex.js';
export { KEY } from './keys.js';
export { channelDoc, graphDataOf, withVersions } from './shapes.js';
export { CHANNEL_RE, ARCH_RE, CHANNEL_PATTERN, ARCH_PATTERN, DIGEST_RE, channelNameProblem, archProblem, payloadDigest, riskProblem } from './validate.js';
export { parseGraphQuery, parseGraphParams, validateGraphRequest, DEFAULT_ARCH, type GraphRequest } from './request.js';
export { inputFromServed, type ServedInput } from './from-served.js';
export { findPaths, servedAdjacency, type PathAnswer, type PathHop, type PathProblem, type PathProblemCode, type PathQuery } from './paths.js';
export {
  clusterView, clusterPrecondition, clusterQuery, type ClusterIdentity, type ClusterView, type ClusterUpdate, type ClusterConditionalUpdate,
  type GraphResponse,
} from './cluster-view.js';
export {
  ROLLOUT_STATES, CANARY_WARINESS, NO_ID_WARINESS, rolloutFraction, passes, paused, resumed, isVarying, passedMask, reachableMasks,
  hiddenVersions, parseRolloutDuration, type Rollout, type RolloutHalt, type RolloutState, type CanaryList,
} from './rollout.js';
