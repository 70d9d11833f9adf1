// GET /fleet/releases/:version: how many clusters run a release and how many updated to it (the console's release page).
import { archSchema, versionSchema } from '../../schemas/admin.js';
import { fleetReleaseCountsSchema } from '../../schemas/fleet.js';
import { fleetOf } from './fleet-services.js';
import { adminSchema, readAnswer, strictObject, type AdminRoute } from './route.js';

export const fleetRelease: AdminRoute = (scope, services) => {
  scope.get<{ Params: { version: string }; Querystring: { arch: string } }>('/fleet/releases/:version', {
    schema: adminSchema({
      operationId: 'getFleetReleaseCounts',
      summary: 'Clusters running a release, and clusters observed updating to it',
      params: strictObject({ version: versionSchema }),
      querystring: { type: 'object', additionalProperties: false, required: ['arch'], properties: { arch: archSchema } },
      value: fleetReleaseCountsSchema,
      ok: 'The counts (0 when no cluster reported it).',
    }),
  }, (request) => readAnswer(fleetOf(services).releaseCounts(request.params.version, request.query.arch)));
};
