// GET /channels/:name/canaries and POST .../canaries/{add,remove}: the clusters that see a channel's rollouts at once.
import { channelNameSchema, clusterIdSchema } from '../../schemas/admin.js';
import { actorOf, adminSchema, NOT_FOUND, readAnswer, rolloutsOf, strictObject, writeAnswer, type AdminRoute } from './route.js';

const idList = { type: 'array', items: { type: 'string' }, description: 'Canonical (lower-case) cluster ids.' } as const;

export const channelCanaryList: AdminRoute = (scope, services) => {
  const rollouts = rolloutsOf(services);
  scope.get<{ Params: { name: string } }>('/channels/:name/canaries', {
    schema: adminSchema({
      operationId: 'listChannelCanaries',
      summary: 'List a channel\'s canary clusters',
      params: strictObject({ name: channelNameSchema }),
      value: idList,
      ok: 'The ids in the order they were added.',
      errors: { 404: `${NOT_FOUND} Here: the channel.` },
    }),
  }, (request) => readAnswer(rollouts.canaries(request.params.name)));
};

function canaryChange(op: 'add' | 'remove'): AdminRoute {
  return (scope, services) => {
    const rollouts = rolloutsOf(services);
    scope.post<{ Params: { name: string }; Body: { ids: string[] } }>(`/channels/:name/canaries/${op}`, {
      config: { audit: `channel.canaries.${op}` },
      schema: adminSchema({
        operationId: op === 'add' ? 'addChannelCanaries' : 'removeChannelCanaries',
        summary: op === 'add' ? 'Add canary clusters to a channel' : 'Remove canary clusters from a channel',
        description: 'Canaries have wariness 0: they see every rollout of the channel from its start (not an aborted one).',
        params: strictObject({ name: channelNameSchema }),
        body: strictObject({ ids: { type: 'array', minItems: 1, maxItems: 1000, items: clusterIdSchema } }),
        value: idList,
        ok: 'The channel\'s canaries after the change.',
        errors: { 404: `${NOT_FOUND} Here: the channel.` },
      }),
    }, (request) => writeAnswer(op === 'add' ? rollouts.addCanaries(actorOf(request), request.params.name, request.body.ids)
      : rollouts.removeCanaries(actorOf(request), request.params.name, request.body.ids)));
  };
}

export const channelCanaryAdd = canaryChange('add');
export const channelCanaryRemove = canaryChange('remove');
