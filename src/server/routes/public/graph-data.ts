// GET /api/upgrades_info/graph-data: the current graph-data (+ releases/, signatures/) as a gzip'd tarball, the way
// OpenShift's update service hands out graph-data; replicas (`kus serve --follow`) fetch it with If-None-Match.
import type { FastifyInstance } from 'fastify';
import { KusError } from '../../../errors/index.js';
import type { GraphDataArchiveSnapshot } from '../../../services/graph-data-archive.js';
import { errorSchema } from '../../schemas/admin.js';

export const GRAPH_DATA_PATH = '/api/upgrades_info/graph-data';
const MEDIA_GZIP = 'application/gzip';

export interface GraphDataSource {
  current(): Promise<GraphDataArchiveSnapshot | undefined>;
}

/** If-None-Match names the ETag (or is "*"); weak comparison, as RFC 9110 asks for If-None-Match. */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === bare;
  });
}

export function graphDataRoutes(source: GraphDataSource) {
  return async function register(scope: FastifyInstance): Promise<void> {
    scope.get(GRAPH_DATA_PATH, {
      schema: {
        operationId: 'getGraphData',
        tags: ['graph'],
        summary: 'The graph-data tree as a gzip tarball (version, channels/, blocked-edges/, raw/metadata.json, releases/, signatures/)',
        description:
          'The same files `kus export` writes, in upstream\'s graph-data layout plus KUS\'s releases/ and signatures/sha256/<hex>/signature-N ' +
          '(and signatures/keys/NAME.asc). Deterministic: equal content gives equal bytes and the same strong ETag. Replicas poll it ' +
          'with If-None-Match.',
        response: {
          200: { description: 'The tarball.', content: { [MEDIA_GZIP]: { schema: { type: 'string', format: 'binary' } } } },
          304: { description: 'Not modified: If-None-Match names the current ETag.', type: 'null' },
          503: { ...errorSchema, description: 'No graph has been built yet (KUS_ERR_NOT_READY); /readyz says the same.' },
        },
      },
    }, async (request, reply) => {
      const archive = await source.current();
      if (!archive) throw new KusError('KUS_ERR_NOT_READY', 'no graph has been built yet, so there is no graph-data to hand out; see /readyz and the server log');
      reply.header('etag', archive.etag).header('cache-control', 'no-cache').header('last-modified', archive.builtAt.toUTCString());
      if (etagMatches(request.headers['if-none-match'], archive.etag)) return reply.code(304).send();
      return reply.code(200).type(MEDIA_GZIP).header('content-disposition', 'attachment; filename="graph-data.tar.gz"').send(archive.gzip);
    });
  };
}
