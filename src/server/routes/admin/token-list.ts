// GET /tokens: active admin tokens (names, scopes and times; secrets are never shown again).
import { tokenInfoSchema } from '../../schemas/admin.js';
import { adminSchema, readAnswer, type AdminRoute } from './route.js';

export const tokenList: AdminRoute = (scope, services) => {
  scope.get('/tokens', {
    schema: adminSchema({
      operationId: 'listTokens',
      summary: 'List active admin tokens',
      value: { type: 'array', items: tokenInfoSchema },
      ok: 'Active tokens by name.',
    }),
  }, () => readAnswer(services.tokens.list()));
};
