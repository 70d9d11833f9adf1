// DELETE /releases/:version?arch=A[&force=true]: remove one release; refused while a channel lists it, unless forced.
import { archSchema, releaseSchema, versionSchema } from '../../schemas/admin.js';
import { actorOf, adminSchema, CONFLICT, NOT_FOUND, strictObject, writeAnswer, type AdminRoute } from './route.js';

export const releaseRemove: AdminRoute = (scope, services) => {
  scope.delete<{ Params: { version: string }; Querystring: { arch: string; force?: boolean } }>('/releases/:version', {
    config: { audit: 'release.remove' },
    schema: adminSchema({
      operationId: 'removeRelease',
      summary: 'Remove the release of one version and architecture',
      description: 'Refused with 409 while a channel lists it (clusters on it would lose their updates) unless force=true, which also takes it out of those channels.',
      params: strictObject({ version: versionSchema }),
      querystring: {
        type: 'object',
        additionalProperties: false,
        required: ['arch'],
        properties: { arch: archSchema, force: { type: 'boolean', default: false, description: 'Remove even while channels list it.' } },
      },
      value: releaseSchema,
      ok: 'The removed release.',
      errors: { 404: NOT_FOUND, 409: CONFLICT },
    }),
  }, (request) =>
    writeAnswer(services.publisher.removeRelease(actorOf(request), request.params.version, request.query.arch, { force: request.query.force === true })));
};
