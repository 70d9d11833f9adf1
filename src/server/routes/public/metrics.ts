// GET /metrics: the app's Prometheus registry in the text exposition format.
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export function metricsRoutes(registry: Registry) {
  return async function register(scope: FastifyInstance): Promise<void> {
    scope.get('/metrics', {
      schema: {
        operationId: 'getMetrics',
        tags: ['health'],
        summary: 'Prometheus metrics: requests, latency, graph builds',
        response: { 200: { description: 'Prometheus text format.', content: { 'text/plain': { schema: { type: 'string' } } } } },
      },
    }, async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  };
}
