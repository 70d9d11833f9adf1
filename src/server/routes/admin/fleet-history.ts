// GET /fleet/history: clusters per version at the end of each of the last days (the console's fleet timeline).
import { fleetHistorySchema } from '../../schemas/fleet.js';
import { fleetOf } from './fleet-services.js';
import { adminSchema, readAnswer, type AdminRoute } from './route.js';

export const fleetHistory: AdminRoute = (scope, services) => {
  scope.get<{ Querystring: { days?: number } }>('/fleet/history', {
    schema: adminSchema({
      operationId: 'getFleetHistory',
      summary: 'Clusters per version per day',
      description: 'Derived from the recorded clusters and their observed updates (docs/fleet.md): clusters dropped by the retention are not counted.',
      querystring: { type: 'object', additionalProperties: false, properties: { days: { type: 'integer', minimum: 1, maximum: 90, default: 30 } } },
      value: fleetHistorySchema,
      ok: 'Oldest day first.',
    }),
  }, (request) => readAnswer(fleetOf(services).history(request.query.days ?? 30)));
};
