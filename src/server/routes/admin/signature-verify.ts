// GET /signatures/verify: the pre-publish check, for a release and its reachable targets, or for whole channels.
import { KusError } from '../../../errors/index.js';
import { channelNameSchema, versionSchema } from '../../schemas/admin.js';
import { verifyReportSchema } from '../../schemas/signatures.js';
import { adminSchema, NOT_FOUND, readAnswer, type AdminRoute } from './route.js';
import { signingOf } from './signing-services.js';

export const signatureVerify: AdminRoute = (scope, services) => {
  scope.get<{ Querystring: { version?: string; channel?: string } }>('/signatures/verify', {
    schema: adminSchema({
      operationId: 'verifySignatures',
      summary: 'Check signatures: a release and every target reachable from it per channel (version), or every node (channel, or neither)',
      description:
        'Each signature is verified as the cluster would (binary signed message, trusted key, claim naming the digest); a release counts ' +
        'as signed when every active key made a valid signature, which is what the verifier ConfigMap from kus verifier-configmap requires.',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { version: { ...versionSchema, description: 'VERSION or VERSION+ARCH.' }, channel: channelNameSchema },
      },
      value: verifyReportSchema,
      ok: 'The report; ok is false when anything is unsigned.',
      errors: { 404: NOT_FOUND },
    }),
  }, async (request) => {
    const { signing } = signingOf(services);
    const { version, channel } = request.query;
    if (version !== undefined && channel !== undefined) throw new KusError('KUS_ERR_BAD_REQUEST', 'give version or channel, not both');
    return readAnswer(version !== undefined ? await signing.verifyRelease(version) : await signing.verifyChannels(channel));
  });
};
