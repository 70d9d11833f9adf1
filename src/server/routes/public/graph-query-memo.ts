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
      // Frozen, so sharing one answer between requests is safe.
      // Decoded once for the graph's parameters and the cluster's own (last value wins for each, graph-api §4).
      const params = new URLSearchParams(query);
      const request = parseGraphParams(params);
      const id = lastOf(params, 'id');
      // Wariness and the canonical id are worked out when first read: only a channel with an active rollout reads them
      // (the fleet parses the id itself), and with 100,000 clusters (each its own query string) the SHA-256 on every
      // memo miss was ~7% of the serving thread's CPU.
      let wariness: number | undefined;
      let clusterId: string | undefined | null = null;
      const answer: ParsedGraphQuery = Object.freeze({
        ...request, id, version: lastOf(params, 'version'),
        get clusterId(): string | undefined {
          if (clusterId === null) clusterId = canonicalClusterId(id);
          return clusterId;
        },
        get wariness(): number {
          return (wariness ??= warinessOf(id));
        },
      });
      if (query.length <= maxKeyLength) answers.set(query, answer);
      return answer;
    },
    get size() {
      return answers.size;
    },
  };
}

function lastOf(params: URLSearchParams, name: string): string | undefined {
  const all = params.getAll(name);
  return all.length === 0 ? undefined : all[all.length - 1];
}
