// POST /releases/ingest: resolve a pull spec in its registry and publish the release it names, by digest.
import { KusError } from '../../../errors/index.js';
import { channelNameSchema, releaseSchema } from '../../schemas/admin.js';
import { actorOf, adminSchema, BODY_LIMITS, CONFLICT, writeAnswer, type AdminRoute } from './route.js';

interface IngestBody {
  pullSpec: string;
  channels?: string[];
  registryAuth?: { auths: Record<string, unknown> };
  insecure?: boolean;
  ca?: string;
}

export const ingestBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['pullSpec'],
  properties: {
    pullSpec: {
      type: 'string',
      minLength: 1,
      maxLength: 1024,
      description: 'Release image by tag or digest: [registry[:port]/]repository[:tag][@sha256:<64 hex>] (docker.io when no registry).',
      example: 'registry.kylinsec.example:5000/ocp/release:4.9.15-kylinsec.3',
    },
    channels: { type: 'array', items: channelNameSchema, maxItems: 100, description: 'Existing channels that should list the version.' },
    registryAuth: {
      type: 'object',
      required: ['auths'],
      properties: { auths: { type: 'object', additionalProperties: { type: 'object' } } },
      description: 'A pull secret (dockerconfigjson) for this request; its entries win over the server\'s --registry-auth. Never stored or logged.',
    },
    insecure: { type: 'boolean', description: 'Plain HTTP to the registry (default: the server\'s --registry-insecure).' },
    ca: { type: 'string', maxLength: 1024 * 1024, description: 'PEM CA certificates to trust for this registry, besides the server\'s.' },
  },
} as const;

export const releaseIngest: AdminRoute = (scope, services) => {
  scope.post<{ Body: IngestBody }>('/releases/ingest', {
    bodyLimit: BODY_LIMITS.caBundle,
    schema: adminSchema({
      operationId: 'ingestRelease',
      summary: 'Publish a release image from its registry: tag → digest, version/previous/next/metadata from release-metadata, arch',
      description:
        'Resolves the pull spec through the registry API (Docker schema 2, OCI manifest, manifest list, OCI index), reads ' +
        'release-manifests/release-metadata from the image\'s layers (top-most first) and the architecture from the image config (a ' +
        'manifest list of several images is multi; release.openshift.io/architecture in the metadata overrides). The payload is stored ' +
        'as registry/repository@sha256:…. The same version, arch and digest again is a no-op; another digest is refused (409).',
      body: ingestBodySchema,
      value: releaseSchema,
      ok: 'The stored release (the earlier one when this was a repeat).',
      errors: {
        404: 'The tag, digest or repository does not exist in the registry, or a channel does not exist (KUS_ERR_NOT_FOUND).',
        409: CONFLICT,
        422: 'The image is not a release image: no valid release-manifests/release-metadata, a cosign signature, or a single-arch image of a multi release (KUS_ERR_NOT_A_RELEASE).',
        502: 'The registry failed, refused the credentials, or sent something invalid (KUS_ERR_REGISTRY, KUS_ERR_REGISTRY_AUTH).',
      },
    }),
  }, async (request) => {
    if (!services.ingest) throw new KusError('KUS_ERR_INTERNAL', 'this server was started without the ingest service');
    const { pullSpec, channels, registryAuth, insecure, ca } = request.body;
    const registry = {
      ...(registryAuth !== undefined ? { auth: registryAuth } : {}),
      ...(insecure !== undefined ? { insecure } : {}),
      ...(ca !== undefined ? { ca } : {}),
    };
    const result = await services.ingest.ingest(actorOf(request), pullSpec, { ...(channels ? { channels } : {}), registry });
    return writeAnswer(result);
  });
};
