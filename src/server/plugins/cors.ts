// CORS for public routes, as upstream's policy-engine does it: any origin, echoed back; methods GET and HEAD.
import type { FastifyInstance } from 'fastify';

const ALLOWED_METHODS = 'GET, HEAD';

/** Adds the Origin echo to every route registered in `scope` (and its children), and answers preflights on `paths`. */
export function installPublicCors(scope: FastifyInstance, paths: readonly string[]): void {
  scope.addHook('onRequest', (request, reply, done) => {
    const origin = request.headers.origin;
    if (origin !== undefined) reply.header('access-control-allow-origin', origin);
    done();
  });
  for (const url of paths) {
    scope.options(url, { schema: { hide: true } }, (request, reply) => {
      const wanted = request.headers['access-control-request-headers'];
      reply.header('access-control-allow-methods', ALLOWED_METHODS).header('vary', 'Origin, Access-Control-Request-Headers');
      if (typeof wanted === 'string') reply.header('access-control-allow-headers', wanted);
      return reply.code(204).send();
    });
  }
}
