// GET /keys: the signing keys (public facts only; never a private key).
import { keySchema } from '../../schemas/signatures.js';
import { adminSchema, readAnswer, type AdminRoute } from './route.js';
import { signingOf } from './signing-services.js';

export const keyList: AdminRoute = (scope, services) => {
  scope.get('/keys', {
    schema: adminSchema({
      operationId: 'listKeys',
      summary: 'List the release signing keys',
      description: 'Active keys sign new releases and go into the verifier ConfigMap; every stored key is trusted for uploaded signatures.',
      value: { type: 'array', items: keySchema },
      ok: 'The keys, oldest first.',
    }),
  }, async () => readAnswer(await signingOf(services).keys.list()));
};
