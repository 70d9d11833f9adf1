// POST /channels: create an empty channel (a no-op when it exists).
import { channelNameSchema, channelSchema } from '../../schemas/admin.js';
import { actorOf, adminSchema, strictObject, writeAnswer, type AdminRoute } from './route.js';

export const channelCreate: AdminRoute = (scope, services) => {
  scope.post<{ Body: { name: string } }>('/channels', {
    config: { audit: 'channel.create' },
    schema: adminSchema({
      operationId: 'createChannel',
      summary: 'Create a channel',
      description: 'The name must match ^[0-9a-z\\-\\.]+$ and contain a "-" (e.g. stable-4.9), or clusters could not request it.',
      body: strictObject({ name: channelNameSchema }),
      value: channelSchema,
      ok: 'The channel (changed=false when it existed already).',
    }),
  }, (request) => writeAnswer(services.publisher.createChannel(actorOf(request), request.body.name)));
};
