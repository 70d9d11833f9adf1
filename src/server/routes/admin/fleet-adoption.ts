// GET /fleet/adoption: one version's adoption in one channel over time (the console draws it against a rollout's
// fraction on the fleet page).
import { KusError } from '../../../errors/index.js';
import { channelNameSchema, versionSchema } from '../../schemas/admin.js';
import { fleetAdoptionSchema } from '../../schemas/fleet.js';
import { fleetOf } from './fleet-services.js';
import { adminSchema, readAnswer, strictObject, type AdminRoute } from './route.js';

interface Query {
  channel: string;
  version: string;
  from: string;
  points?: number;
}

export const fleetAdoption: AdminRoute = (scope, services) => {
  scope.get<{ Querystring: Query }>('/fleet/adoption', {
    schema: adminSchema({
      operationId: 'getFleetAdoption',
      summary: 'Share of a channel\'s recorded clusters running a version, over time',
      description: 'Derived from the recorded clusters and their observed updates (docs/fleet.md); clusters dropped by the retention are not counted.',
      querystring: strictObject({
        channel: channelNameSchema,
        version: versionSchema,
        from: { type: 'string', format: 'date-time', description: 'The first instant (e.g. a rollout\'s start), RFC 3339.', example: '2026-12-24T08:00:00Z' },
        points: { type: 'integer', minimum: 2, maximum: 500, default: 60, description: 'How many instants from `from` to now.' },
      }, ['channel', 'version', 'from']),
      value: fleetAdoptionSchema,
      ok: 'Oldest instant first.',
    }),
  }, (request) => {
    const { channel, version, from, points } = request.query;
    const fromMs = Date.parse(from);
    if (Number.isNaN(fromMs)) throw new KusError('KUS_ERR_BAD_REQUEST', `from ${JSON.stringify(from)} is not an RFC 3339 time`);
    return readAnswer(fleetOf(services).adoption(channel, version, fromMs, points ?? 60));
  });
};
