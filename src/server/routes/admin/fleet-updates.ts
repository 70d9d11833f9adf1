// GET /fleet/updates: the updates clusters were observed to make (their reported version changed from A to B).
import { parseFleetDuration } from '../../../services/fleet/index.js';
import { fleetSinceSchema, fleetUpdateSchema } from '../../schemas/fleet.js';
import { fleetOf } from './fleet-services.js';
import { adminSchema, readAnswer, type AdminRoute } from './route.js';

export const fleetUpdates: AdminRoute = (scope, services) => {
  scope.get<{ Querystring: { since?: string } }>('/fleet/updates', {
    schema: adminSchema({
      operationId: 'listFleetUpdates',
      summary: 'Observed updates A → B with the number of clusters',
      querystring: { type: 'object', additionalProperties: false, properties: { since: fleetSinceSchema } },
      value: { type: 'array', items: fleetUpdateSchema },
      ok: 'Most clusters first.',
    }),
  }, (request) => {
    const { since } = request.query;
    return readAnswer(fleetOf(services).updates(since === undefined ? undefined : parseFleetDuration(since)));
  });
};
