// /livez (the process answers) and /readyz (a graph has been built, so clusters get real answers).
import type { FastifyInstance } from 'fastify';
import type { GraphCache } from '../../../services/graph-cache.js';

const statusSchema = {
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string' } },
} as const;

export function healthRoutes(graphs: GraphCache) {
  return async function register(scope: FastifyInstance): Promise<void> {
    scope.get('/livez', {
      schema: {
        operationId: 'getLivez',
        tags: ['health'],
        summary: 'Liveness: 200 while the process serves HTTP',
        response: { 200: { description: 'Alive.', ...statusSchema } },
      },
    }, async () => ({ status: 'ok' }));

    scope.get('/readyz', {
      schema: {
        operationId: 'getReadyz',
        tags: ['health'],
        summary: 'Readiness: 503 until the first graph build succeeded, then 200 (a later failed rebuild keeps the last graph)',
        response: {
          200: { description: 'A graph is being served.', ...statusSchema },
          503: { description: 'No graph has been built yet.', ...statusSchema },
        },
      },
    }, async (_request, reply) => {
      if (!graphs.ready) return reply.code(503).send({ status: 'not ready: no graph built yet' });
      return { status: 'ready' };
    });
  };
}
