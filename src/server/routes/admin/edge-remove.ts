// DELETE /edges/:file: remove a blocked or conditional edge by its blocked-edges file name.
import { edgeFileSchema } from '../../schemas/admin.js';
import { actorOf, adminSchema, NOT_FOUND, strictObject, writeAnswer, type AdminRoute } from './route.js';

export const edgeRemove: AdminRoute = (scope, services) => {
  scope.delete<{ Params: { file: string } }>('/edges/:file', {
    config: { audit: 'edge.remove' },
    schema: adminSchema({
      operationId: 'removeEdge',
      summary: 'Remove a blocked or conditional edge',
      params: strictObject({ file: { type: 'string', minLength: 1, maxLength: 512, example: '4.9.15-kylinsec.1.yaml' } }),
      value: edgeFileSchema,
      ok: 'The removed file.',
      errors: { 404: NOT_FOUND },
    }),
  }, (request) => writeAnswer(services.publisher.removeEdge(actorOf(request), request.params.file)));
};
