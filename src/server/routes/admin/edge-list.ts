// GET /edges: blocked edges and conditional edges (risks).
import { blockedEdgeSchema, conditionalEdgeSchema } from '../../schemas/admin.js';
import { adminSchema, readAnswer, type AdminRoute } from './route.js';

export const edgeList: AdminRoute = (scope, services) => {
  scope.get('/edges', {
    schema: adminSchema({
      operationId: 'listEdges',
      summary: 'List blocked edges and conditional edges',
      value: {
        type: 'object',
        required: ['blocked', 'conditional'],
        properties: { blocked: { type: 'array', items: blockedEdgeSchema }, conditional: { type: 'array', items: conditionalEdgeSchema } },
      },
      ok: 'Both kinds, each in file-name order.',
    }),
  }, () => readAnswer(services.publisher.listEdges()));
};
