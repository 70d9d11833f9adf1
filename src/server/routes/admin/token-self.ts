// GET /token: the token this request presents (its name and scope), so that the console knows what to offer.
import { tokenScopeSchema } from '../../schemas/admin.js';
import { actorOf, adminSchema, readAnswer, type AdminRoute } from './route.js';

export const tokenSelf: AdminRoute = (scope) => {
  scope.get('/token', {
    schema: adminSchema({
      operationId: 'showOwnToken',
      summary: 'The presented token\'s name and scope',
      value: { type: 'object', required: ['name', 'scope'], properties: { name: { type: 'string' }, scope: tokenScopeSchema } },
      ok: 'Who this token is.',
    }),
  }, (request) => readAnswer({ name: actorOf(request).name, scope: request.adminScope }));
};
