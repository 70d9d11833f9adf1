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
  /** A long poll: the archive once `unchanged` no longer accepts its ETag, or after waitMs (graph-data-archive.ts). */
  changed?(unchanged: (etag: string) => boolean, waitMs: number, signal: AbortSignal): Promise<GraphDataArchiveSnapshot | undefined>;
}

/** The longest `Prefer: wait` honoured: long enough to spare replicas most polls, short enough for proxies' idle timeouts. */
export const MAX_PREFER_WAIT_SECONDS = 60;

/** `wait=N` of a Prefer header (RFC 7240), in seconds, capped; 0 when absent or not a whole number. */
export function preferWait(header: string | string[] | undefined): number {
  for (const value of Array.isArray(header) ? header : header === undefined ? [] : [header]) {
    for (const preference of value.split(',')) {
      const match = /^\s*wait\s*=\s*"?(\d{1,6})"?\s*(;.*)?$/i.exec(preference);
      if (match) return Math.min(Number(match[1]), MAX_PREFER_WAIT_SECONDS);
    }
  }
  return 0;
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
    // Held long polls end when the server stops, so that closing does not wait out their N seconds.
    const closing = new Set<() => void>();
    scope.addHook('preClose', async () => {
      for (const abort of [...closing]) abort();
    });
    scope.get(GRAPH_DATA_PATH, {
      schema: {
        operationId: 'getGraphData',
        tags: ['graph'],
        summary: 'The graph-data tree as a gzip tarball (version, channels/, blocked-edges/, raw/metadata.json, releases/, signatures/)',
        description:
          'The same files `kus export` writes, in upstream\'s graph-data layout plus KUS\'s releases/ and signatures/sha256/<hex>/signature-N ' +
          '(and signatures/keys/NAME.asc). Deterministic: equal content gives equal bytes and the same strong ETag. Replicas poll it ' +
          `with If-None-Match and \`Prefer: wait=N\` (RFC 7240, N ≤ ${MAX_PREFER_WAIT_SECONDS}): when the ETag still matches, the answer is held ` +
          'until the archive changes or N seconds pass, and says `Preference-Applied: wait=N`.',
        headers: {
          type: 'object',
          properties: {
            'if-none-match': { type: 'string', description: 'The ETag the client holds: 304 while it is current.' },
            prefer: { type: 'string', description: '`wait=N`: with a current If-None-Match, hold the answer up to N seconds for a change.' },
          },
        },
        response: {
          200: { description: 'The tarball.', content: { [MEDIA_GZIP]: { schema: { type: 'string', format: 'binary' } } } },
          304: { description: 'Not modified: If-None-Match names the current ETag.', type: 'null' },
          503: { ...errorSchema, description: 'No graph has been built yet (KUS_ERR_NOT_READY); /readyz says the same.' },
        },
      },
    }, async (request, reply) => {
      const held = request.headers['if-none-match'];
      const wait = source.changed ? preferWait(request.headers.prefer) : 0;
      let archive = await source.current();
      if (archive && wait > 0 && etagMatches(held, archive.etag)) {
        const left = new AbortController();
        const abort = (): void => left.abort();
        // The response's 'close': the client went away (the request's own 'close' fires once its body is read).
        reply.raw.once('close', abort);
        closing.add(abort);
        try {
          archive = await source.changed!((etag) => etagMatches(held, etag), wait * 1000, left.signal);
        } finally {
          reply.raw.off('close', abort);
          closing.delete(abort);
        }
        reply.header('preference-applied', `wait=${wait}`);
      }
      if (!archive) throw new KusError('KUS_ERR_NOT_READY', 'no graph has been built yet, so there is no graph-data to hand out; see /readyz and the server log');
      reply.header('etag', archive.etag).header('cache-control', 'no-cache').header('last-modified', archive.builtAt.toUTCString());
      if (etagMatches(request.headers['if-none-match'], archive.etag)) return reply.code(304).send();
      return reply.code(200).type(MEDIA_GZIP).header('content-disposition', 'attachment; filename="graph-data.tar.gz"').send(archive.gzip);
    });
  };
}
