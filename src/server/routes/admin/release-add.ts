// POST /releases: publish a release given by version, arch and payload by digest (idempotent on the same digest).
import type { ReleaseInput } from '../../../services/publisher.js';
import { releaseInputSchema, releaseSchema } from '../../schemas/admin.js';
import { actorOf, adminSchema, BODY_LIMITS, CONFLICT, NOT_FOUND, writeAnswer, type AdminRoute } from './route.js';

export const releaseAdd: AdminRoute = (scope, services) => {
  scope.post<{ Body: ReleaseInput }>('/releases', {
    bodyLimit: BODY_LIMITS.large,
    config: { audit: 'release.add' },
    schema: adminSchema({
      operationId: 'addRelease',
      summary: 'Publish a release (version, arch, payload by digest, previous, next, metadata, channels)',
      description:
        'The release becomes a node of the graph, visible to clusters when this answers. The same version, arch and digest again is a ' +
        'no-op (changed=false); the same version and arch with another digest is refused with 409 KUS_ERR_DIGEST_MISMATCH. Previous/next ' +
        'versions that are not stored are accepted with a warning. Channels must exist.',
      body: releaseInputSchema,
      value: releaseSchema,
      ok: 'The stored release (the earlier one when this was a repeat).',
      errors: { 404: `${NOT_FOUND} Here: a channel.`, 409: CONFLICT },
    }),
  }, (request) => writeAnswer(services.publisher.addRelease(actorOf(request), request.body)));
};
