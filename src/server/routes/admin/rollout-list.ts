// GET /rollouts: every phased rollout with its fraction now and the fleet's evidence about it (docs/rollouts.md).
import { channelNameSchema, rolloutListItemSchema, versionSchema } from '../../schemas/admin.js';
import { adminSchema, readAnswer, rolloutsOf, strictObject, type AdminRoute } from './route.js';

export const rolloutList: AdminRoute = (scope, services) => {
  const rollouts = rolloutsOf(services);
  scope.get<{ Querystring: { channel?: string; version?: string } }>('/rollouts', {
    schema: adminSchema({
      operationId: 'listRollouts',
      summary: 'List phased rollouts with their current fraction and the fleet\'s evidence',
      querystring: strictObject({ channel: channelNameSchema, version: versionSchema }, []),
      value: { type: 'array', items: rolloutListItemSchema },
      ok: 'Rollouts by channel and version; fraction and evidence evaluated with the server clock.',
    }),
  }, (request) => readAnswer(rollouts.list(request.query)));
};
