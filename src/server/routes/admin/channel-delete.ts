// DELETE /channels/:name: delete a channel (clusters following it get an empty graph).
import { channelNameSchema, channelSchema } from '../../schemas/admin.js';
import { actorOf, adminSchema, NOT_FOUND, strictObject, writeAnswer, type AdminRoute } from './route.js';

export const channelDelete: AdminRoute = (scope, services) => {
  scope.delete<{ Params: { name: string } }>('/channels/:name', {
    config: { audit: 'channel.delete' },
    schema: adminSchema({
      operationId: 'deleteChannel',
      summary: 'Delete a channel',
      params: strictObject({ name: channelNameSchema }),
      value: { type: 'array', items: channelSchema },
      ok: 'The deleted channel file(s).',
      errors: { 404: NOT_FOUND },
    }),
  }, (request) => writeAnswer(services.publisher.deleteChannel(actorOf(request), request.params.name)));
};
