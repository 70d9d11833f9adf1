// The graph query parsed once per distinct query string, in a bounded LRU: each cluster repeats its own string (channel,
// arch, version, id) every poll, so the form decoding is skipped on nearly every request, while strings a client made
// up (anyone can send them, no token needed) can hold at most MAX_ENTRIES short keys in memory.
import { LruMap } from 'toad-cache';
import { parseGraphParams, type GraphRequest } from '../../../graph/index.js';
import { canonicalClusterId, warinessOf } from '../../../services/wariness.js';

/** A cluster's string is about 120 characters; 10,000 of the longest keys kept are about 6 MB at most. */
export const QUERY_MEMO_MAX_ENTRIES = 10_000;
/** Longer strings are parsed every time and never kept, so one key can never be large. */
export const QUERY_MEMO_MAX_KEY_LENGTH = 512;

/** The graph request plus what the cluster says about itself (read by the fleet inventory, not validated here). */
export interface ParsedGraphQuery extends GraphRequest {
  readonly id: string | undefined;
  readonly version: string | undefined;
  /** The id in canonical form (lower-case UUID), undefined when not a UUID: what canary lists hold (worked out when first read). */
  readonly clusterId: string | undefined;
  /** For phased rollouts (services/wariness.ts); hashed at most once per distinct query string, when first read. */
  readonly wariness: number;
}

export interface GraphQueryMemo {
  /** Validates the raw query string (without "?"); throws UpstreamError missing_params / invalid_params. */
  parse(query: string): ParsedGraphQuery;
  /** Strings kept now (for tests and metrics). */
  readonly size: number;
}

/** One per app (no module-level state); only valid answers are kept, so no refused string is ever held. */
export function createGraphQueryMemo(maxEntries = QUERY_MEMO_MAX_ENTRIES, maxKeyLength = QUERY_MEMO_MAX_KEY_LENGTH): GraphQueryMemo {
  const answers = new LruMap<ParsedGraphQuery>(maxEntries);
  return {
    parse(query) {
      const known = answers.get(query);
      if (known !== undefined) return known;
      // Decoded once for the graph's parameters and the cluster's own (last value wins for each, graph-api §4).
      const params = new URLSearchParams(query);
      const request = parseGraphParams(params);
      const answer = new ParsedQuery(request.channel, request.arch, lastOf(params, 'id'), lastOf(params, 'version'));
      if (query.length <= maxKeyLength) answers.set(query, answer);
      return answer;
    },
    get size() {
      return answers.size;
    },
  };
}

/**
 * One answer, frozen so that sharing it between requests is safe. A class rather than an object literal: with 100,000
 * clusters nearly every poll is a memo miss, and building `Object.freeze({ ...request, id, version, get clusterId() …,
 * get wariness() … })` (a spread, two accessors defined and two closures made per answer, then a freeze) was about 85 %
 * of a miss in the serving thread's profile. Here every answer has one shape, and the accessors live on the prototype.
 * Private fields are not properties, so the frozen answer can still remember what was worked out.
 */
class ParsedQuery implements ParsedGraphQuery {
  // Wariness and the canonical id are worked out when first read: only a channel with an active rollout reads them
  // (the fleet parses the id itself), and with 100,000 clusters (each its own query string) the SHA-256 on every memo
  // miss was ~7% of the serving thread's CPU.
  #clusterId: string | undefined | null = null;
  #wariness: number | undefined;

  constructor(
    readonly channel: string,
    readonly arch: string,
    readonly id: string | undefined,
    readonly version: string | undefined,
  ) {
    Object.freeze(this);
  }

  get clusterId(): string | undefined {
    if (this.#clusterId === null) this.#clusterId = canonicalClusterId(this.id);
    return this.#clusterId;
  }

  get wariness(): number {
    return (this.#wariness ??= warinessOf(this.id));
  }
}

function lastOf(params: URLSearchParams, name: string): string | undefined {
  const all = params.getAll(name);
  return all.length === 0 ? undefined : all[all.length - 1];
}
