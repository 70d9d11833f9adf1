// DELETE /tokens/:name: revoke an admin token (requests with it get 401 from now on).
import { tokenNameSchema } from '../../schemas/admin.js';
import { actorOf, adminSchema, NOT_FOUND, strictObject, type AdminRoute } from './route.js';

export const tokenRevoke: AdminRoute = (scope, services) => {
  scope.delete<{ Params: { name: string } }>('/tokens/:name', {
    config: { audit: 'token.revoke' },
    schema: adminSchema({
      operationId: 'revokeToken',
      summary: 'Revoke an admin token',
      params: strictObject({ name: tokenNameSchema }),
      value: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
      ok: 'The revoked token\'s name.',
      errors: { 404: NOT_FOUND },
    }),
  }, (request) => {
    services.tokens.revoke(actorOf(request), request.params.name);
    return { value: { name: request.params.name }, warnings: [], changed: true };
  });
};
