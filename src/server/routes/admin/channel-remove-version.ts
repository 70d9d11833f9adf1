// DELETE /channels/:name/versions/:version: take a version out of a channel.
import { channelNameSchema, channelSchema, versionSchema } from '../../schemas/admin.js';
import { actorOf, adminSchema, NOT_FOUND, strictObject, writeAnswer, type AdminRoute } from './route.js';

export const channelRemoveVersion: AdminRoute = (scope, services) => {
  scope.delete<{ Params: { name: string; version: string } }>('/channels/:name/versions/:version', {
    config: { audit: 'channel.remove' },
    schema: adminSchema({
      operationId: 'removeChannelVersion',
      summary: 'Remove a version from a channel',
      params: strictObject({ name: channelNameSchema, version: versionSchema }),
      value: channelSchema,
      ok: 'The channel after the change.',
      errors: { 404: `${NOT_FOUND} Here: the channel, or the version in it.` },
    }),
  }, (request) => writeAnswer(services.publisher.removeFromChannel(actorOf(request), request.params.name, request.params.version)));
};
