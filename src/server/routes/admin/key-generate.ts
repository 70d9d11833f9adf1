// POST /keys/generate: a new RSA signing key on the server, its private key encrypted with the server's passphrase.
import { keyNameSchema, keyWithPublicSchema } from '../../schemas/signatures.js';
import { actorOf, adminSchema, CONFLICT, writeAnswer, type AdminRoute } from './route.js';
import { signingOf } from './signing-services.js';

export const keyGenerate: AdminRoute = (scope, services) => {
  scope.post<{ Body: { name: string; email: string; bits?: number } }>('/keys/generate', {
    config: { audit: 'key.generate' },
    schema: adminSchema({
      operationId: 'generateKey',
      summary: 'Generate an RSA signing key (active at once)',
      description: 'RSA because the cluster\'s verifier (golang.org/x/crypto/openpgp) rejects EdDSA/Curve25519 keys. Needs the server\'s signing passphrase.',
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'email'],
        properties: {
          name: keyNameSchema,
          email: { type: 'string', minLength: 3, maxLength: 254, example: 'release@kylin.example' },
          bits: { type: 'integer', enum: [3072, 4096], description: 'Default 3072.' },
        },
      },
      value: keyWithPublicSchema,
      ok: 'The new key with its public key.',
      errors: { 409: `${CONFLICT} Here: a key has that name.` },
    }),
  }, async (request) => {
    const { name, email, bits } = request.body;
    return writeAnswer(await signingOf(services).keys.generate(actorOf(request), { name, email, ...(bits !== undefined ? { bits } : {}) }));
  });
};
