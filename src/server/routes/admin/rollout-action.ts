// POST /rollouts/:channel/:version/{pause,resume,complete,abort}: the state changes of a phased rollout, one
// operation each (docs/rollouts.md).
import { channelNameSchema, rolloutSchema, versionSchema } from '../../schemas/admin.js';
import { actorOf, adminSchema, CONFLICT, NOT_FOUND, rolloutsOf, strictObject, writeAnswer, type AdminRoute } from './route.js';
import type { RolloutAction } from '../../../services/rollouts.js';

const WHAT: Record<RolloutAction, { operationId: string; summary: string; description: string }> = {
  pause: { operationId: 'pauseRollout', summary: 'Pause a rollout', description: 'Its fraction stays where it is until resumed.' },
  resume: { operationId: 'resumeRollout', summary: 'Resume a paused rollout', description: 'It continues from the fraction it was paused at.' },
  complete: { operationId: 'completeRollout', summary: 'Complete a rollout', description: 'Every cluster sees the edges into the release.' },
  abort: {
    operationId: 'abortRollout', summary: 'Abort a rollout',
    description: 'No cluster is offered the release any more (canaries included); clusters running it still find it in the graph.',
  },
};

function rolloutActionRoute(action: RolloutAction): AdminRoute {
  return (scope, services) => {
    const rollouts = rolloutsOf(services);
    scope.post<{ Params: { channel: string; version: string } }>(`/rollouts/:channel/:version/${action}`, {
      config: { audit: `rollout.${action}` },
      schema: adminSchema({
        ...WHAT[action],
        params: strictObject({ channel: channelNameSchema, version: versionSchema }),
        value: rolloutSchema,
        ok: 'The rollout after the change (changed=false when it was in that state already).',
        errors: { 404: `${NOT_FOUND} Here: the channel, the version in it, or its rollout.`, 409: `${CONFLICT} Here: the rollout's state does not allow it.` },
      }),
    }, (request) => writeAnswer(rollouts.change(actorOf(request), request.params.channel, request.params.version, action)));
  };
}

export const rolloutPause = rolloutActionRoute('pause');
export const rolloutResume = rolloutActionRoute('resume');
export const rolloutComplete = rolloutActionRoute('complete');
export const rolloutAbort = rolloutActionRoute('abort');
