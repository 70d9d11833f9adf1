// PUT /keys/:name/active: activate or deactivate a key (rotation).
import { keyNameSchema, keySchema } from '../../schemas/signatures.js';
import { actorOf, adminSchema, NOT_FOUND, strictObject, writeAnswer, type AdminRoute } from './route.js';
import { signingOf } from './signing-services.js';

export const keySetActive: AdminRoute = (scope, services) => {
  scope.put<{ Params: { name: string }; Body: { active: boolean } }>('/keys/:name/active', {
    config: { audit: 'key.activate' },
    schema: adminSchema({
      operationId: 'setKeyActive',
      summary: 'Activate or deactivate a signing key',
      description: 'Active keys sign new releases and go into the verifier ConfigMap; an inactive key stays trusted for signatures it made.',
      params: strictObject({ name: keyNameSchema }),
      body: strictObject({ active: { type: 'boolean' } }),
      value: keySchema,
      ok: 'The key after the change.',
      errors: { 404: NOT_FOUND },
    }),
  }, async (request) => writeAnswer(await signingOf(services).keys.setActive(actorOf(request), request.params.name, request.body.active)));
};
