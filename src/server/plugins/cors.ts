// CORS preflights for the public graph routes (any origin, methods GET and HEAD); the answers themselves echo Origin.
import type { FastifyInstance } from 'fastify';

const ALLOWED_METHODS = 'GET, HEAD';

export function installCorsPreflight(scope: FastifyInstance, paths: readonly string[]): void {
  for (const url of paths) {
    scope.options(url, { schema: { hide: true } }, (request, reply) => {
      const origin = request.headers.origin;
      const wanted = request.headers['access-control-request-headers'];
      if (origin !== undefined) reply.header('access-control-allow-origin', origin);
      reply.header('access-control-allow-methods', ALLOWED_METHODS).header('vary', 'Origin, Access-Control-Request-Headers');
      if (typeof wanted === 'string') reply.header('access-control-allow-headers', wanted);
      return reply.code(204).send();
    });
  }
}
