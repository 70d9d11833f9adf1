// POST /tokens: create an admin token of a scope (default admin); its secret is in this answer only.
import type { TokenScope } from '../../../services/tokens.js';
import { createdTokenSchema, tokenNameSchema, tokenScopeSchema } from '../../schemas/admin.js';
import { actorOf, adminSchema, CONFLICT, strictObject, type AdminRoute } from './route.js';

export const tokenCreate: AdminRoute = (scope, services) => {
  scope.post<{ Body: { name: string; scope?: TokenScope } }>('/tokens', {
    config: { audit: 'token.create' },
    schema: adminSchema({
      operationId: 'createToken',
      summary: 'Create an admin token',
      description: 'The token is shown in this answer only; the server keeps its sha256. scope defaults to admin.',
      body: strictObject({ name: tokenNameSchema, scope: tokenScopeSchema }, ['name']),
      value: createdTokenSchema,
      ok: 'The new token.',
      errors: { 409: `${CONFLICT} Here: an active token has that name.` },
    }),
  }, (request) => ({ value: services.tokens.create(actorOf(request), request.body.name, request.body.scope), warnings: [], changed: true }));
};
