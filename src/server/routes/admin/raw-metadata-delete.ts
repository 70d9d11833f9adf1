// DELETE /raw-metadata/:version/:key: delete one raw metadata override.
import { rawMetadataSchema, versionSchema } from '../../schemas/admin.js';
import { actorOf, adminSchema, NOT_FOUND, strictObject, writeAnswer, type AdminRoute } from './route.js';

export const rawMetadataDelete: AdminRoute = (scope, services) => {
  scope.delete<{ Params: { version: string; key: string } }>('/raw-metadata/:version/:key', {
    config: { audit: 'raw-metadata.delete' },
    schema: adminSchema({
      operationId: 'deleteRawMetadata',
      summary: 'Delete a raw metadata override of a version',
      params: strictObject({ version: versionSchema, key: { type: 'string', minLength: 1, maxLength: 512 } }),
      value: rawMetadataSchema,
      ok: 'The deleted key (value null).',
      errors: { 404: NOT_FOUND },
    }),
  }, (request) => writeAnswer(services.publisher.setRawMetadata(actorOf(request), request.params.version, request.params.key, null)));
};
