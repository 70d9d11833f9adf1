// POST /channels/:name/versions: list a version in a channel (promotion: candidate → fast → stable).
import { channelNameSchema, channelSchema, versionSchema } from '../../schemas/admin.js';
import { actorOf, adminSchema, NOT_FOUND, strictObject, writeAnswer, type AdminRoute } from './route.js';

export const channelAddVersion: AdminRoute = (scope, services) => {
  scope.post<{ Params: { name: string }; Body: { version: string } }>('/channels/:name/versions', {
    config: { audit: 'channel.add' },
    schema: adminSchema({
      operationId: 'addChannelVersion',
      summary: 'Add a version to a channel',
      description: 'Refused (404) when no release of that version is stored, or none of that architecture when the version carries +arch.',
      params: strictObject({ name: channelNameSchema }),
      body: strictObject({ version: { ...versionSchema, description: 'A version; with +arch it selects that architecture only.' } }),
      value: channelSchema,
      ok: 'The channel after the change (changed=false when it listed the version already).',
      errors: { 404: `${NOT_FOUND} Here: the channel, or a release of the version.` },
    }),
  }, (request) => writeAnswer(services.publisher.addToChannel(actorOf(request), request.params.name, request.body.version)));
};
