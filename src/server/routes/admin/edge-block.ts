// POST /edges/blocked: block the updates into `to` from versions matching `from` (or from exactly `fromVersion`).
import type { EdgeSelector } from '../../../services/publisher.js';
import { blockedEdgeSchema, blockInputSchema } from '../../schemas/admin.js';
import { actorOf, adminSchema, CONFLICT, writeAnswer, type AdminRoute } from './route.js';

export const edgeBlock: AdminRoute = (scope, services) => {
  scope.post<{ Body: EdgeSelector }>('/edges/blocked', {
    config: { audit: 'edge.block' },
    schema: adminSchema({
      operationId: 'blockEdge',
      summary: 'Block updates into a version',
      description:
        'Writes blocked-edges/<to>.yaml. When a plain block of the same target exists, the new pattern is appended to it with "|" ' +
        '(a second file would silently replace the first); the answer says so in warnings.',
      body: blockInputSchema,
      value: blockedEdgeSchema,
      ok: 'The blocked-edges file as stored.',
      errors: { 409: CONFLICT },
    }),
  }, (request) => writeAnswer(services.publisher.blockEdge(actorOf(request), request.body)));
};
