// POST /signatures: accept a signature made elsewhere, only if a trusted key made it and its claim names the digest.
import { KusError } from '../../../errors/index.js';
import { digestSchema, signatureInfoSchema } from '../../schemas/signatures.js';
import { actorOf, adminSchema, BODY_LIMITS, CONFLICT, strictObject, writeAnswer, type AdminRoute } from './route.js';
import { signingOf } from './signing-services.js';

const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

export const signatureUpload: AdminRoute = (scope, services) => {
  scope.post<{ Body: { digest: string; signature: string } }>('/signatures', {
    bodyLimit: BODY_LIMITS.signature,
    config: { audit: 'signature.upload' },
    schema: adminSchema({
      operationId: 'uploadSignature',
      summary: 'Upload a signature made elsewhere (e.g. gpg --sign on an offline host)',
      description:
        'Stored as the next free signature-N of the digest only if it is a binary OpenPGP signed message by a stored key (not expired) and ' +
        'its claim names the digest with no field the cluster rejects; otherwise refused with the reason (422) and nothing is stored.',
      body: strictObject({
        digest: digestSchema,
        signature: { type: 'string', minLength: 1, maxLength: 70000, description: 'Base64 of the signature file.' },
      }),
      value: signatureInfoSchema,
      ok: 'The stored signature (the existing one when the same bytes were stored already).',
      errors: {
        409: `${CONFLICT} Here: the digest has 9 signatures already.`,
        422: 'The signature was refused (KUS_ERR_INVALID_SIGNATURE); the message says why.',
      },
    }),
  }, async (request) => {
    const { digest, signature } = request.body;
    if (!BASE64_RE.test(signature)) throw new KusError('KUS_ERR_BAD_REQUEST', 'body/signature must be base64 (the signature file\'s bytes)');
    const bytes = Buffer.from(signature, 'base64');
    return writeAnswer(await signingOf(services).signing.uploadSignature(actorOf(request), digest, bytes));
  });
};
