// DELETE /channels/:name/policies/:source: stop promoting from :source to the channel :name.
import { channelNameSchema } from '../../schemas/admin.js';
import { policySchema } from '../../schemas/policies.js';
import { policiesOf } from './policy-services.js';
import { actorOf, adminSchema, NOT_FOUND, strictObject, type AdminRoute } from './route.js';

export const policyRemove: AdminRoute = (scope, services) => {
  scope.delete<{ Params: { name: string; source: string } }>('/channels/:name/policies/:source', {
    config: { audit: 'policy.remove' },
    schema: adminSchema({
      operationId: 'removePolicy',
      summary: 'Remove a promotion policy',
      description: 'What the policy promoted stays promoted.',
      params: strictObject({ name: channelNameSchema, source: channelNameSchema }),
      value: policySchema,
      ok: 'The policy that was removed.',
      errors: { 404: `${NOT_FOUND} Here: no such policy.` },
    }),
  }, (request) => {
    const result = policiesOf(services).remove(actorOf(request), request.params.name, request.params.source);
    return { value: result.value, warnings: result.warnings, changed: result.changed };
  });
};
