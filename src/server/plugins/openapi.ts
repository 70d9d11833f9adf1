// The OpenAPI 3 document (@fastify/swagger) at /openapi.json and its browsable UI at /docs.
import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';

/** Must run before any route is registered: the document is collected from routes as they are added. */
export function installOpenApi(app: FastifyInstance, version: string): void {
  void app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Kylin Update Service',
        description: 'Cincinnati-compatible OpenShift update graph for custom distributions.',
        version,
      },
      tags: [
        { name: 'graph', description: 'The update graph clusters read (Cincinnati policy-engine API).' },
        { name: 'health', description: 'Liveness, readiness and metrics.' },
        { name: 'signatures', description: 'Release signatures in the layout clusters read (a signature store URL).' },
        { name: 'explorer', description: 'Read-only questions about the served graph: channels, paths, what a cluster sees, releases.' },
        { name: 'console', description: 'The web console and its assets.' },
        { name: 'admin', description: 'Publishing (releases, channels, edges, raw metadata), tokens and the audit log; bearer token required.' },
      ],
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            description: 'An admin token from "kus token create --name NAME" (shown once; the server stores its sha256).',
          },
        },
      },
    },
  });
  void app.register(swaggerUi, { routePrefix: '/docs' });
  void app.register(async (scope) => {
    scope.get('/openapi.json', { schema: { hide: true } }, () => scope.swagger());
  });
}
