// GET /signatures: stored signatures (all, or of one digest), optionally with their bytes.
import { digestSchema, signatureInfoSchema } from '../../schemas/signatures.js';
import { adminSchema, readAnswer, type AdminRoute } from './route.js';
import { signingOf } from './signing-services.js';

export const signatureList: AdminRoute = (scope, services) => {
  scope.get<{ Querystring: { digest?: string; data?: boolean } }>('/signatures', {
    schema: adminSchema({
      operationId: 'listSignatures',
      summary: 'List stored signatures (all, or of one digest)',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { digest: digestSchema, data: { type: 'boolean', description: 'Include each signature\'s bytes (base64) as data.' } },
      },
      value: { type: 'array', items: signatureInfoSchema },
      ok: 'By digest, then index.',
    }),
  }, (request) => {
    const { signing } = signingOf(services);
    const { digest, data } = request.query;
    const list = signing.listSignatures(digest);
    if (!data) return readAnswer(list);
    const bytes = new Map(signing.signatureFiles(digest).map((f) => [`${f.digest} ${f.index}`, f.bytes.toString('base64')]));
    return readAnswer(list.map((s) => ({ ...s, data: bytes.get(`${s.digest} ${s.index}`)! })));
  });
};
