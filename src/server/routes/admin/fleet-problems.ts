// GET /fleet/problems: clusters the served graph offers no update to (VersionNotFound, unknown channel, arch not served).
import { fleetProblemSchema } from '../../schemas/fleet.js';
import { fleetOf } from './fleet-services.js';
import { adminSchema, readAnswer, type AdminRoute } from './route.js';

export const fleetProblems: AdminRoute = (scope, services) => {
  scope.get('/fleet/problems', {
    schema: adminSchema({
      operationId: 'listFleetProblems',
      summary: 'Clusters that are offered no update, with why and what to do',
      description: 'Compared with the graph being served, as the cluster reads it: a cluster whose version is not a node of its channel ' +
        'reports VersionNotFound and gets no update until the version is added to the channel or the cluster changes channel.',
      querystring: { type: 'object', additionalProperties: false, properties: {} },
      value: { type: 'array', items: fleetProblemSchema },
      ok: 'By cluster id.',
    }),
  }, () => readAnswer(fleetOf(services).problems()));
};
