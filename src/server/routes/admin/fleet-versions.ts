// GET /fleet/versions: how many clusters report each (channel, arch, version).
import { parseFleetDuration } from '../../../services/fleet/index.js';
import { fleetSinceSchema, fleetVersionsEntrySchema } from '../../schemas/fleet.js';
import { fleetOf } from './fleet-services.js';
import { adminSchema, readAnswer, type AdminRoute } from './route.js';

export const fleetVersions: AdminRoute = (scope, services) => {
  scope.get<{ Querystring: { since?: string } }>('/fleet/versions', {
    schema: adminSchema({
      operationId: 'listFleetVersions',
      summary: 'Clusters per channel, architecture and version',
      description: 'From the graph requests clusters send (their id, version, channel and arch); a poll shows here within the flush interval (5 s).',
      querystring: { type: 'object', additionalProperties: false, properties: { since: fleetSinceSchema } },
      value: { type: 'array', items: fleetVersionsEntrySchema },
      ok: 'By channel, arch, version.',
    }),
  }, (request) => {
    const { since } = request.query;
    return readAnswer(fleetOf(services).versions(since === undefined ? undefined : parseFleetDuration(since)));
  });
};
