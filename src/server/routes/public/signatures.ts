// GET {/api/upgrades_info,}/signatures/<algo>=<hex>/signature-<N>: the signature store clusters read (signatures.md §8-9).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { UpstreamError } from '../../../errors/index.js';
import { parseStoreRequest, type Signing } from '../../../services/signing.js';
import { upstreamErrorSchema } from '../../schemas/graph.js';

/** The store URL a cluster is given is one of these prefixes; upstream's production prefix first. */
export const SIGNATURE_ROUTES = [
  { prefix: '/api/upgrades_info/signatures', operationId: 'getSignature' },
  { prefix: '/signatures', operationId: 'getSignatureUnprefixed' },
] as const;

const MEDIA_BINARY = 'application/octet-stream';
const MEDIA_JSON = 'application/json';

export type SignatureSource = Pick<Signing, 'signatureBytes'>;

interface Params {
  digest: string;
  signature: string;
}

const paramsSchema = {
  type: 'object',
  required: ['digest', 'signature'],
  additionalProperties: false,
  properties: {
    digest: { type: 'string', description: 'The release digest with "=" for ":", e.g. sha256=0123…cdef (64 lowercase hex digits).', example: `sha256=${'0'.repeat(64)}` },
    signature: { type: 'string', description: 'signature-<N>, N from 1 without leading zeros; clusters ask for 1 to 9 and stop at the first 404.', example: 'signature-1' },
  },
} as const;

function schemaFor(operationId: string, prefix: string) {
  const error = { content: { [MEDIA_JSON]: { schema: upstreamErrorSchema } } };
  return {
    operationId,
    tags: ['signatures'],
    summary: prefix.startsWith('/api/') ? 'One release signature, as a cluster\'s signature store serves it' : `One release signature (alias of /api/upgrades_info/signatures/…)`,
    description:
      'A binary OpenPGP signed message over the simple-signing claim of the digest. Give clusters the store URL ' +
      `<base>${prefix} (verifier ConfigMap store-* entry, or ClusterVersion spec.signatureStores). Errors use upstream's {kind, value} shape.`,
    params: paramsSchema,
    response: {
      200: { description: 'The signature bytes as stored.', content: { [MEDIA_BINARY]: { schema: { type: 'string', format: 'binary' } } } },
      400: { description: 'invalid_params: the digest is not <algo>=<hex> with algo sha256 (or sha) and 64 lowercase hex digits, or the name is not signature-<N>.', ...error },
      404: { description: 'does_not_exist: no such signature. Clusters stop asking this store at the first 404.', ...error },
    },
  };
}

export function signatureRoutes(signatures: SignatureSource) {
  function handler(request: FastifyRequest<{ Params: Params }>, reply: FastifyReply): FastifyReply {
    const { digest, signature } = request.params;
    const parsed = parseStoreRequest(digest, signature);
    if (!parsed.ok) throw new UpstreamError('invalid_params', parsed.reason);
    const bytes = signatures.signatureBytes(parsed.digest, parsed.index);
    if (bytes === undefined) throw new UpstreamError('does_not_exist', `signature ${digest}/${signature}`);
    const origin = request.headers.origin;
    if (origin !== undefined) reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
    return reply.code(200).type(MEDIA_BINARY).send(bytes);
  }

  return async function register(scope: FastifyInstance): Promise<void> {
    for (const { prefix, operationId } of SIGNATURE_ROUTES) {
      scope.get<{ Params: Params }>(`${prefix}/:digest/:signature`, { schema: schemaFor(operationId, prefix) }, handler);
    }
  };
}
