// GET /releases/:version: the releases of one version (every architecture, or the one given).
import { archSchema, releaseSchema, versionSchema } from '../../schemas/admin.js';
import { adminSchema, NOT_FOUND, readAnswer, strictObject, type AdminRoute } from './route.js';

export const releaseShow: AdminRoute = (scope, services) => {
  scope.get<{ Params: { version: string }; Querystring: { arch?: string } }>('/releases/:version', {
    schema: adminSchema({
      operationId: 'getRelease',
      summary: 'Show the releases of one version',
      params: strictObject({ version: { ...versionSchema, description: 'SemVer; a +arch suffix selects that architecture.' } }),
      querystring: { type: 'object', additionalProperties: false, properties: { arch: archSchema } },
      value: { type: 'array', items: releaseSchema },
      ok: 'The release of each stored architecture of the version (one with arch).',
      errors: { 404: NOT_FOUND },
    }),
  }, (request) => readAnswer(services.publisher.getRelease(request.params.version, request.query.arch)));
};
