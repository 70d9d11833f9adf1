// GET /rollouts: every phased rollout with its fraction now (docs/rollouts.md).
import { channelNameSchema, rolloutSchema, versionSchema } from '../../schemas/admin.js';
import { adminSchema, readAnswer, rolloutsOf, strictObject, type AdminRoute } from './route.js';

export const rolloutList: AdminRoute = (scope, services) => {
  const rollouts = rolloutsOf(services);
  scope.get<{ Querystring: { channel?: string; version?: string } }>('/rollouts', {
    schema: adminSchema({
      operationId: 'listRollouts',
      summary: 'List phased rollouts with their current fraction',
      querystring: strictObject({ channel: channelNameSchema, version: versionSchema }, []),
      value: { type: 'array', items: rolloutSchema },
      ok: 'Rollouts by channel and version; fraction evaluated with the server clock.',
    }),
  }, (request) => readAnswer(rollouts.list(request.query)));
};
