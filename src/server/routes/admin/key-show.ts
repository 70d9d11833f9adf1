// GET /keys/:name: one signing key with its armored public key (what `kus key export` prints).
import { keyNameSchema, keyWithPublicSchema } from '../../schemas/signatures.js';
import { adminSchema, NOT_FOUND, readAnswer, strictObject, type AdminRoute } from './route.js';
import { signingOf } from './signing-services.js';

export const keyShow: AdminRoute = (scope, services) => {
  scope.get<{ Params: { name: string } }>('/keys/:name', {
    schema: adminSchema({
      operationId: 'getKey',
      summary: 'Show one signing key with its armored public key',
      params: strictObject({ name: keyNameSchema }),
      value: keyWithPublicSchema,
      ok: 'The key.',
      errors: { 404: NOT_FOUND },
    }),
  }, async (request) => readAnswer(await signingOf(services).keys.get(request.params.name)));
};
