// GET {/api/upgrades_info,}{/v1,}/graph: the pre-rendered graph of one channel and arch, as a cluster reads it.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { UpstreamError } from '../../../errors/index.js';
import { parseGraphQuery } from '../../../graph/index.js';
import { Variant, type GraphCache } from '../../../services/graph-cache.js';
import { graphQuerySchema, servedGraphSchema, upstreamErrorSchema } from '../../schemas/graph.js';
import { acceptsGzip, etagMatches, firstAccept, MEDIA_JSON, MEDIA_VND, negotiateGraphType } from './graph-request.js';

/** Production prefix first; the prefix-less spellings are what upstream serves with an empty prefix. */
export const GRAPH_ROUTES = [
  { url: '/api/upgrades_info/graph', operationId: 'getGraph' },
  { url: '/api/upgrades_info/v1/graph', operationId: 'getGraphV1' },
  { url: '/graph', operationId: 'getGraphUnprefixed' },
  { url: '/v1/graph', operationId: 'getGraphV1Unprefixed' },
] as const;

export const GRAPH_PATHS: readonly string[] = GRAPH_ROUTES.map((r) => r.url);

const VARY = 'Accept, Accept-Encoding, Origin';
// Buffers, not strings: Fastify would append "; charset=utf-8" to a string's type, and upstream sends the bare type.
const NOT_ACCEPTABLE = Buffer.from(JSON.stringify(new UpstreamError('invalid_content_type').toBody()));

function sendError(reply: FastifyReply, err: UpstreamError): FastifyReply {
  return reply.code(err.status).header('content-type', MEDIA_JSON).send(Buffer.from(JSON.stringify(err.toBody())));
}

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
    },
  };
}

export function graphRoutes(graphs: GraphCache) {
  function handler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const type = negotiateGraphType(firstAccept(request.raw));
    if (type === null) return reply.code(406).header('content-type', MEDIA_JSON).send(NOT_ACCEPTABLE);
    const url = request.raw.url ?? '';
    const q = url.indexOf('?');
    let query;
    try {
      query = parseGraphQuery(q < 0 ? '' : url.slice(q + 1));
    } catch (err) {
      if (err instanceof UpstreamError) return sendError(reply, err);
      throw err;
    }
    const body = graphs.lookup(query.channel, query.arch);
    if (body.status !== 200) return reply.code(body.status).header('content-type', MEDIA_JSON).send(body.plain);

    const gzip = acceptsGzip(request.headers['accept-encoding']);
    const variant = type === MEDIA_VND ? (gzip ? Variant.VndGzip : Variant.Vnd) : gzip ? Variant.JsonGzip : Variant.Json;
    const etag = body.etag(variant);
    // no-cache: clients may store the body but must revalidate, so a publish is visible on the next request.
    reply.header('content-type', type).header('vary', VARY).header('cache-control', 'no-cache').header('etag', etag);
    if (etagMatches(request.headers['if-none-match'], etag)) return reply.code(304).send();
    if (gzip) return reply.header('content-encoding', 'gzip').send(body.gzip());
    return reply.send(body.plain);
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
