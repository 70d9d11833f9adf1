// GET /channels: every channel with its versions.
import { channelSchema } from '../../schemas/admin.js';
import { adminSchema, readAnswer, type AdminRoute } from './route.js';

export const channelList: AdminRoute = (scope, services) => {
  scope.get('/channels', {
    schema: adminSchema({
      operationId: 'listChannels',
      summary: 'List channels and the versions they list',
      value: { type: 'array', items: channelSchema },
      ok: 'Channels in file-name order.',
    }),
  }, () => readAnswer(services.publisher.listChannels()));
};
