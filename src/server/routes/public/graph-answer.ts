// The whole graph answer as one function of the request head: used by the Fastify route and by the raw fast path,
// so both produce the same status, headers and bytes by construction.
import { UpstreamError } from '../../../errors/index.js';
import { Variant, type GraphCache } from '../../../services/graph-cache.js';
import type { GraphQueryMemo, ParsedGraphQuery } from './graph-query-memo.js';
import { acceptsGzip, etagMatches, MEDIA_JSON, MEDIA_VND, negotiateGraphType } from './graph-request.js';

/** What the answer depends on; header values as Node gives them (lower-case names). */
export interface GraphRequestHead {
  /** The raw query string without "?" ('' when absent). */
  query: string;
  /** The first Accept header (see firstAccept); undefined when absent. */
  accept: string | undefined;
  acceptEncoding: string | undefined;
  ifNoneMatch: string | undefined;
  origin: string | undefined;
  userAgent: string | undefined;
}

/** Where a valid graph request is reported (the fleet inventory); must be cheap: it runs on every poll. */
export type RecordPoll = (query: ParsedGraphQuery, userAgent: string | undefined) => void;

export interface GraphAnswer {
  status: number;
  headers: Record<string, string>;
  /** Undefined for 304. */
  body: Buffer | undefined;
}

const VARY = 'Accept, Accept-Encoding, Origin';
// Buffers, not strings: Fastify would append "; charset=utf-8" to a string's type, and upstream sends the bare type.
const NOT_ACCEPTABLE = Buffer.from(JSON.stringify(new UpstreamError('invalid_content_type').toBody()));
/**
 * Before the first good build (a replica before its first sync, a primary whose first build failed) there is no graph:
 * an empty 200 would make a cluster report VersionNotFound, so the answer is 503, as /readyz says. Upstream has no
 * error kind for this; the cluster reads only the status.
 */
export const NOT_READY_BODY = Buffer.from(JSON.stringify({ kind: 'service_unavailable', value: 'no graph has been built yet; see /readyz' }));
const RETRY_AFTER_SECONDS = '5';

/** graph-api §3 in order: Accept, then the query (mandatory channel, validation), then the pre-rendered body. */
export function answerGraph(graphs: GraphCache, queries: GraphQueryMemo, head: GraphRequestHead, recordPoll?: RecordPoll): GraphAnswer {
  const headers: Record<string, string> = {};
  // CORS as upstream's policy-engine: any origin, echoed back, on every answer including errors.
  if (head.origin !== undefined) headers['access-control-allow-origin'] = head.origin;

  const type = negotiateGraphType(head.accept);
  if (type === null) {
    headers['content-type'] = MEDIA_JSON;
    return { status: 406, headers, body: NOT_ACCEPTABLE };
  }
  let query;
  try {
    query = queries.parse(head.query);
  } catch (err) {
    if (!(err instanceof UpstreamError)) throw err;
    headers['content-type'] = MEDIA_JSON;
    return { status: err.status, headers, body: Buffer.from(JSON.stringify(err.toBody())) };
  }
  // Every valid request counts, also for a channel that does not exist: that is one of the problems the fleet reports.
  recordPoll?.(query, head.userAgent);
  if (!graphs.ready) {
    headers['content-type'] = MEDIA_JSON;
    headers['retry-after'] = RETRY_AFTER_SECONDS;
    return { status: 503, headers, body: NOT_READY_BODY };
  }
  // With rollouts in the channel, the body depends on the cluster and the time (docs/rollouts.md).
  const body = graphs.lookupFor(query.channel, query.arch, query, Date.now());
  if (body.status !== 200) {
    headers['content-type'] = MEDIA_JSON;
    return { status: body.status, headers, body: body.plain };
  }

  const gzip = acceptsGzip(head.acceptEncoding);
  const variant = type === MEDIA_VND ? (gzip ? Variant.VndGzip : Variant.Vnd) : gzip ? Variant.JsonGzip : Variant.Json;
  const etag = body.etag(variant);
  headers['content-type'] = type;
  headers.vary = VARY;
  // no-cache: clients may store the body but must revalidate, so a publish is visible on the next request.
  headers['cache-control'] = 'no-cache';
  headers.etag = etag;
  if (etagMatches(head.ifNoneMatch, etag)) return { status: 304, headers, body: undefined };
  if (!gzip) return { status: 200, headers, body: body.plain };
  headers['content-encoding'] = 'gzip';
  return { status: 200, headers, body: body.gzip() };
}
