// GET {/api/upgrades_info,}{/v1,}/graph: the pre-rendered graph of one channel and arch, as a cluster reads it.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GraphCache } from '../../../services/graph-cache.js';
import { graphQuerySchema, servedGraphSchema, upstreamErrorSchema } from '../../schemas/graph.js';
import { answerGraph, type RecordPoll } from './graph-answer.js';
import type { GraphQueryMemo } from './graph-query-memo.js';
import { firstAccept, MEDIA_JSON, MEDIA_VND } from './graph-request.js';

/** Production prefix first; the prefix-less spellings are what upstream serves with an empty prefix. */
export const GRAPH_ROUTES = [
  { url: '/api/upgrades_info/graph', operationId: 'getGraph' },
  { url: '/api/upgrades_info/v1/graph', operationId: 'getGraphV1' },
  { url: '/graph', operationId: 'getGraphUnprefixed' },
  { url: '/v1/graph', operationId: 'getGraphV1Unprefixed' },
] as const;

export const GRAPH_PATHS: readonly string[] = GRAPH_ROUTES.map((r) => r.url);

function schemaFor(operationId: string, url: string) {
  const error = { content: { [MEDIA_JSON]: { schema: upstreamErrorSchema } } };
  return {
    operationId,
    tags: ['graph'],
    summary: url.startsWith('/api/') ? 'Update graph of one channel and architecture' : `Update graph (alias of /api/upgrades_info${url})`,
    description:
      'What ClusterVersion.spec.upstream points at. Accept must be exactly one of application/json, ' +
      `${MEDIA_VND}, *, */*, application/* (or absent); the response is revalidated with its ETag.`,
    querystring: graphQuerySchema,
    response: {
      200: {
        description: 'The graph (gzip-encoded when Accept-Encoding allows it).',
        content: { [MEDIA_JSON]: { schema: servedGraphSchema }, [MEDIA_VND]: { schema: servedGraphSchema } },
      },
      304: { description: 'Not modified: If-None-Match names the current ETag.', type: 'null' },
      400: { description: 'missing_params or invalid_params.', ...error },
      406: { description: 'invalid_content_type: the Accept header is not one of the accepted values.', ...error },
      500: { description: 'arch_version_error: a node of this channel and arch has no valid SemVer version.', ...error },
      503: { description: 'No graph has been built yet (a replica before its first sync): retry later; /readyz says the same.', ...error },
    },
  };
}

/**
 * The documented routes. Over a real socket most graph requests are answered by the fast path (plugins/graph-fast-path)
 * before Fastify routes them; these handle the rest (and inject), with the same answerGraph.
 */
export function graphRoutes(graphs: GraphCache, queries: GraphQueryMemo, recordPoll?: RecordPoll) {
  function handler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const url = request.raw.url ?? '';
    const q = url.indexOf('?');
    const answer = answerGraph(graphs, queries, {
      query: q < 0 ? '' : url.slice(q + 1),
      accept: firstAccept(request.raw),
      acceptEncoding: request.headers['accept-encoding'],
      ifNoneMatch: request.headers['if-none-match'],
      origin: request.headers.origin,
      userAgent: request.headers['user-agent'],
    }, recordPoll);
    reply.code(answer.status).headers(answer.headers);
    return answer.body === undefined ? reply.send() : reply.send(answer.body);
  }

  return async function register(scope: FastifyInstance): Promise<void> {
    for (const { url, operationId } of GRAPH_ROUTES) {
      scope.route({
        method: 'GET',
        url,
        schema: schemaFor(operationId, url),
        // The schema documents the API; the handler alone validates, because errors must be upstream's {kind,value}
        // bodies in upstream's order (Accept before parameters), which schema validation cannot express.
        validatorCompiler: () => () => true,
        handler,
      });
    }
  };
}
