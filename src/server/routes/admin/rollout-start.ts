// POST /rollouts: start a phased rollout of a version in a channel (docs/rollouts.md).
import { channelNameSchema, rolloutSchema, versionSchema } from '../../schemas/admin.js';
import { actorOf, adminSchema, CONFLICT, NOT_FOUND, rolloutsOf, strictObject, writeAnswer, type AdminRoute } from './route.js';
import type { RolloutStartInput } from '../../../services/rollouts.js';

export const rolloutStart: AdminRoute = (scope, services) => {
  const rollouts = rolloutsOf(services);
  scope.post<{ Body: RolloutStartInput }>('/rollouts', {
    config: { audit: 'rollout.start' },
    schema: adminSchema({
      operationId: 'startRollout',
      summary: 'Start a phased rollout',
      description: 'Clusters see the edges into the version in the channel as their wariness falls under the rollout\'s fraction: '
        + 'startPercentage/100 at start, rising linearly to 1 over duration. The node stays visible to everyone.',
      body: strictObject({
        channel: channelNameSchema,
        version: { ...versionSchema, description: 'A version the channel lists.' },
        duration: { type: 'string', minLength: 1, maxLength: 16, example: '48h', description: 'A whole number and a unit: s, m, h or d.' },
        start: { type: 'string', minLength: 1, maxLength: 64, example: '2026-12-24T08:00:00Z', description: 'RFC 3339; default now.' },
        startPercentage: { type: 'number', example: 5, description: '0–100; default 0.' },
        haltOnStalled: {
          type: 'integer', minimum: 1, example: 3,
          description: 'Pause the rollout automatically once this many clusters that saw the edge stopped polling or moved elsewhere; default never.',
        },
      }, ['channel', 'version', 'duration']),
      value: rolloutSchema,
      ok: 'The rollout as started.',
      errors: { 404: `${NOT_FOUND} Here: the channel, or the version in it.`, 409: `${CONFLICT} Here: the version already has an active or paused rollout.` },
    }),
  }, (request) => writeAnswer(rollouts.start(actorOf(request), request.body)));
};
