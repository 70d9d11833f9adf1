// GET /fleet/clusters: the recorded clusters, optionally of one version and/or channel.
import { parseFleetDuration } from '../../../services/fleet/index.js';
import { fleetClusterSchema, fleetSinceSchema } from '../../schemas/fleet.js';
import { fleetOf } from './fleet-services.js';
import { adminSchema, readAnswer, type AdminRoute } from './route.js';

export const fleetClusters: AdminRoute = (scope, services) => {
  scope.get<{ Querystring: { version?: string; channel?: string; since?: string } }>('/fleet/clusters', {
    schema: adminSchema({
      operationId: 'listFleetClusters',
      summary: 'The clusters that poll this server',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          version: { type: 'string', minLength: 1, maxLength: 64, description: 'Only clusters reporting this version.' },
          channel: { type: 'string', minLength: 1, maxLength: 128, description: 'Only clusters polling this channel.' },
          since: fleetSinceSchema,
        },
      },
      value: { type: 'array', items: fleetClusterSchema },
      ok: 'By id.',
    }),
  }, (request) => {
    const { version, channel, since } = request.query;
    return readAnswer(fleetOf(services).clusters({ version, channel, sinceMs: since === undefined ? undefined : parseFleetDuration(since) }));
  });
};
