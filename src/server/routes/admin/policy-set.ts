// PUT /channels/:name/policies/:source: promote versions listed in :source for `after` to the channel :name.
import { channelNameSchema } from '../../schemas/admin.js';
import { policyInputSchema, policySchema } from '../../schemas/policies.js';
import { policiesOf } from './policy-services.js';
import { actorOf, adminSchema, NOT_FOUND, strictObject, type AdminRoute } from './route.js';

export const policySet: AdminRoute = (scope, services) => {
  scope.put<{ Params: { name: string; source: string }; Body: { after: string; rollout?: string } }>('/channels/:name/policies/:source', {
    config: { audit: 'policy.set' },
    schema: adminSchema({
      operationId: 'setPolicy',
      summary: 'Create or change a promotion policy',
      description: 'A version listed in the source channel for `after` is added to this channel by the server (checked every minute), ' +
        'unless a blocked edge or a risk names it as `to`. Setting the same policy again changes nothing; other delays replace the old ones. ' +
        'A warning lists versions that are due at once.',
      params: strictObject({ name: channelNameSchema, source: channelNameSchema }),
      body: policyInputSchema,
      value: policySchema,
      ok: 'The policy as stored.',
      errors: { 404: `${NOT_FOUND} Here: either channel.` },
    }),
  }, (request) => {
    const { after, rollout } = request.body;
    const result = policiesOf(services).set(actorOf(request), { target: request.params.name, source: request.params.source, after, ...(rollout !== undefined ? { rollout } : {}) });
    return { value: result.value, warnings: result.warnings, changed: result.changed };
  });
};
