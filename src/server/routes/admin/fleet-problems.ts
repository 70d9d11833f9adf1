// GET /fleet/problems: clusters the served graph offers no update to (VersionNotFound, unknown channel, arch not served),
// and clusters that polled daily and stopped.
import { parseFleetDuration } from '../../../services/fleet/index.js';
import { fleetProblemSchema, fleetUnseenSchema } from '../../schemas/fleet.js';
import { fleetOf } from './fleet-services.js';
import { adminSchema, readAnswer, type AdminRoute } from './route.js';

export const fleetProblems: AdminRoute = (scope, services) => {
  scope.get<{ Querystring: { unseen?: string } }>('/fleet/problems', {
    schema: adminSchema({
      operationId: 'listFleetProblems',
      summary: 'Clusters that are offered no update, with why and what to do',
      description: 'Compared with the graph being served, as the cluster reads it: a cluster whose version is not a node of its channel ' +
        'reports VersionNotFound and gets no update until the version is added to the channel or the cluster changes channel. ' +
        'A cluster that polled daily and has not for longer than `unseen` is listed as Unseen.',
      querystring: { type: 'object', additionalProperties: false, properties: { unseen: fleetUnseenSchema } },
      value: { type: 'array', items: fleetProblemSchema },
      ok: 'By cluster id.',
    }),
  }, (request) => {
    const { unseen } = request.query;
    return readAnswer(fleetOf(services).problems(unseen === undefined ? undefined : parseFleetDuration(unseen, 'unseen')));
  });
};
