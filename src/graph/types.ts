// Domain types of the update graph: what the engine takes in and what it gives out.
import type { CanaryList, Rollout } from './rollout.js';

/** Node metadata: a flat string map, as clusters read it. */
export type Metadata = Record<string, string>;

/** A concrete release of one architecture, as ingested or stored. */
export interface Release {
  /** SemVer as written in release-metadata; any build metadata is replaced by `+arch` when arch is set. */
  version: string;
  /** Go architecture name (amd64, arm64, s390x, ppc64le) or `multi`; null for legacy nodes without one. */
  arch: string | null;
  /** Pull spec by digest: `registry/repo@sha256:<hex>`. */
  payload: string;
  /** The manifest digest the payload resolved to (`sha256:<hex>`); null when unknown. */
  digest: string | null;
  /** Metadata from release-metadata (url, description, graph labels...). */
  metadata: Metadata;
  /** Versions that may update to this one. */
  previous: string[];
  /** Versions this one may update to. */
  next: string[];
}

export interface MatchingRule {
  type: string;
  promql?: { promql: string };
}

export interface Risk {
  url: string;
  name: string;
  message: string;
  matchingRules: MatchingRule[];
}

export interface EdgeRef {
  from: string;
  to: string;
}

export interface ConditionalGroup {
  edges: EdgeRef[];
  risks: Risk[];
}

/** A node of a Cincinnati graph document (graph-builder output): placeholders carry only a version. */
export interface RawNode {
  version: string;
  payload?: string;
  metadata?: Metadata;
}

/** A Cincinnati graph document as the graph-builder serves it (no `version` field, internal versions). */
export interface RawGraph {
  nodes: RawNode[];
  edges: Array<[number, number]>;
  conditionalEdges?: ConditionalGroup[];
}

/** `channels/<file>.yaml` */
export interface ChannelDoc {
  file: string;
  name: string;
  versions: string[];
  /** Keys the engine ignores but export keeps (feeder, tombstones...). */
  extra?: Record<string, unknown>;
}

/** `blocked-edges/<file>.yaml` with only `to` and `from`. */
export interface BlockedEdgeDoc {
  file: string;
  to: string;
  from: string;
}

/** `blocked-edges/<file>.yaml` declaring a risk. */
export interface ConditionalEdgeDoc {
  file: string;
  to: string;
  from: string;
  risk: Risk;
  /** Keys the engine ignores but export keeps (fixedIn, autoExtend...). */
  extra?: Record<string, unknown>;
}

/** The parts of a graph-data directory the engine consumes, each list in file-name order. */
export interface GraphData {
  /** Content of the `version` file, trimmed. */
  schemaVersion: string;
  /** `raw/metadata.json` entries in file order. */
  rawMetadata: Array<[string, Metadata]>;
  blockedEdges: BlockedEdgeDoc[];
  conditionalEdges: ConditionalEdgeDoc[];
  channels: ChannelDoc[];
  /** KUS extension `rollouts/<channel>.yaml` (docs/rollouts.md): phased rollouts; they vary the served bodies only. */
  rollouts?: Rollout[];
  /** KUS extension, same files: each channel's canary cluster ids. */
  canaries?: CanaryList[];
}

/** A graph as served to one (channel, arch): versions stripped of `+arch`, edges as indices. */
export interface ServedGraph {
  version: 1;
  nodes: Array<{ version: string; payload: string; metadata: Metadata }>;
  edges: Array<[number, number]>;
  conditionalEdges: ConditionalGroup[];
}

/** Something the engine tolerated but a person should hear about. */
export interface BuildWarning {
  step: string;
  message: string;
}
