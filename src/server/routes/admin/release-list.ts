// GET /releases: stored releases, optionally of one architecture or one channel.
import { archSchema, channelNameSchema, releaseSchema } from '../../schemas/admin.js';
import { adminSchema, NOT_FOUND, readAnswerJson, type AdminRoute } from './route.js';

export const releaseList: AdminRoute = (scope, services) => {
  scope.get<{ Querystring: { arch?: string; channel?: string } }>('/releases', {
    schema: adminSchema({
      operationId: 'listReleases',
      summary: 'List releases, optionally of one architecture or channel',
      querystring: { type: 'object', additionalProperties: false, properties: { arch: archSchema, channel: channelNameSchema } },
      value: { type: 'array', items: releaseSchema },
      ok: 'Releases in file-name order (version+arch).',
      errors: { 404: `${NOT_FOUND} Here: the channel.` },
    }),
  }, (request, reply) => readAnswerJson(reply, services.publisher.listReleasesJson(request.query)));
};
