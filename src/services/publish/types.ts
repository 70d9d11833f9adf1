// What the publishing services take and give: the actor, write results, and the inputs of each write.
import type { BlockedEdgeDoc, ConditionalEdgeDoc, MatchingRule } from '../../graph/index.js';

/** Who writes: an admin token's name, or `local:<os user>` for CLI use on a local store. */
export interface Actor {
  name: string;
}

export interface WriteResult<T> {
  value: T;
  /** Things a person should read: accepted, but maybe not what they meant. */
  warnings: string[];
  /** False when the store already held what was asked (nothing written, audited or rebuilt). */
  changed: boolean;
}

export interface ReleaseInput {
  /** SemVer without the architecture (a `+arch` equal to `arch` is tolerated and dropped). */
  version: string;
  arch: string;
  /** Pull spec by digest: `registry/repo@sha256:<64 hex>`. */
  payload: string;
  previous?: string[];
  next?: string[];
  metadata?: Record<string, string>;
  /** Existing channels that should list the version. */
  channels?: string[];
}

export interface ChannelInfo {
  name: string;
  file: string;
  versions: string[];
}

export interface EdgeList {
  blocked: BlockedEdgeDoc[];
  conditional: ConditionalEdgeDoc[];
}

/** Which updates an edge rule is about: into `to`, from versions matching `from` (or from exactly `fromVersion`). */
export interface EdgeSelector {
  to: string;
  /** A regex searched in the source's `version+arch` (graph-semantics §6.4.4). */
  from?: string;
  /** One exact version, any architecture; becomes `^4[.]9[.]0[+].*$`. */
  fromVersion?: string;
}

export interface RiskInput extends EdgeSelector {
  url: string;
  name: string;
  message: string;
  matchingRules: MatchingRule[];
}

/** One key of raw/metadata.json; value null deletes the key. */
export interface RawMetadataEntry {
  version: string;
  key: string;
  value: string | null;
}
