// POST /edges/conditional: declare a risk on the updates into `to` from versions matching `from` (a conditional edge).
import type { RiskInput } from '../../../services/publisher.js';
import { conditionalEdgeSchema, riskInputSchema } from '../../schemas/admin.js';
import { actorOf, adminSchema, BODY_LIMITS, CONFLICT, writeAnswer, type AdminRoute } from './route.js';

export const edgeRisk: AdminRoute = (scope, services) => {
  scope.post<{ Body: RiskInput }>('/edges/conditional', {
    bodyLimit: BODY_LIMITS.large,
    config: { audit: 'edge.risk' },
    schema: adminSchema({
      operationId: 'addRisk',
      summary: 'Add a conditional edge with its risk',
      description:
        'Writes blocked-edges/<to>-<risk name>.yaml. Clusters see the update as conditional: recommended only when no matching rule ' +
        'matches (Always, or a PromQL query evaluated in the cluster).',
      body: riskInputSchema,
      value: conditionalEdgeSchema,
      ok: 'The blocked-edges file as stored (changed=false when the same rule existed).',
      errors: { 409: CONFLICT },
    }),
  }, (request) => writeAnswer(services.publisher.addRisk(actorOf(request), request.body)));
};
