// POST /keys: import an OpenPGP key (public: trusted and shipped; secret: also signs, re-encrypted with the server's passphrase).
import { keyNameSchema, keyWithPublicSchema } from '../../schemas/signatures.js';
import { actorOf, adminSchema, BODY_LIMITS, CONFLICT, writeAnswer, type AdminRoute } from './route.js';
import { signingOf } from './signing-services.js';

interface ImportBody {
  key: string;
  name?: string;
  keyPassphrase?: string;
  active?: boolean;
}

export const keyImport: AdminRoute = (scope, services) => {
  scope.post<{ Body: ImportBody }>('/keys', {
    bodyLimit: BODY_LIMITS.medium,
    config: { audit: 'key.import' },
    schema: adminSchema({
      operationId: 'importKey',
      summary: 'Import a signing key (armored OpenPGP, RSA only)',
      description:
        'A public key is trusted for uploaded signatures and shipped in the verifier ConfigMap, but KUS cannot sign with it. A secret key ' +
        'is decrypted with keyPassphrase (or the server\'s signing passphrase) and stored encrypted with the server\'s signing passphrase. ' +
        'Keys the cluster cannot use (EdDSA/Curve25519, ECC subkeys, v5/v6 packets), expired or revoked keys are refused with the reason.',
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['key'],
        properties: {
          key: { type: 'string', minLength: 1, maxLength: 256 * 1024, description: 'The armored key (gpg --armor --export NAME, or --export-secret-keys).' },
          name: { ...keyNameSchema, description: 'Default: from the user ID\'s e-mail.' },
          keyPassphrase: { type: 'string', description: 'Passphrase of an encrypted secret key; never stored or logged.' },
          active: { type: 'boolean', description: 'Default true.' },
        },
      },
      value: keyWithPublicSchema,
      ok: 'The stored key.',
      errors: { 409: `${CONFLICT} Here: the name or the key is stored already.` },
    }),
  }, async (request) => {
    const { key, name, keyPassphrase, active } = request.body;
    const result = await signingOf(services).keys.import(actorOf(request), {
      data: Buffer.from(key, 'utf8'),
      source: 'the request',
      ...(name !== undefined ? { name } : {}),
      ...(keyPassphrase !== undefined ? { keyPassphrase } : {}),
      ...(active !== undefined ? { active } : {}),
    });
    return writeAnswer(result);
  });
};
