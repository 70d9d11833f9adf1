// `kus channel canaries`: the clusters that see a channel's rollouts from their start (docs/rollouts.md).
import { KusError, quote } from '../../errors/index.js';
import { targetFlags, type Command } from '../command.js';
import { emit } from '../output.js';
import { withRolloutTarget } from '../rollout-target.js';

export const command: Command = {
  path: ['channel', 'canaries'],
  summary: 'list, add or remove the canary clusters of a channel',
  description: [
    'Canary clusters have wariness 0: they see every rollout in the channel from its start, before any other',
    'cluster (an aborted rollout excepted). Name clusters by their id, a UUID:',
    '  oc get clusterversion version -o jsonpath=\'{.spec.clusterID}\'',
    'Without add/remove, prints the list. Ids are stored in lower case; adding one twice changes nothing.',
  ].join('\n'),
  positionals: [
    { name: 'CHANNEL', required: true, description: 'channel name, e.g. stable-4.9' },
    { name: 'add|remove', description: 'change the list (omit to print it)' },
    { name: 'ID...', description: 'cluster ids (UUIDs)' },
  ],
  flags: { ...targetFlags },
  examples: [
    'kus channel canaries stable-4.9',
    'kus channel canaries stable-4.9 add 0b6f1c2e-7d3a-4f5e-9c8b-1a2b3c4d5e6f',
    'kus channel canaries stable-4.9 remove 0b6f1c2e-7d3a-4f5e-9c8b-1a2b3c4d5e6f',
  ],
  async run(ctx) {
    const [channel, op, ...ids] = ctx.positionals as [string, string | undefined, ...string[]];
    if (op !== undefined && op !== 'add' && op !== 'remove') throw new KusError('KUS_ERR_USAGE', `${quote(op)} is neither add nor remove (see "kus channel canaries --help")`);
    if (op !== undefined && ids.length === 0) throw new KusError('KUS_ERR_USAGE', `missing ID: which clusters to ${op}`);
    await withRolloutTarget(ctx, async (target) => {
      const outcome = op === undefined ? await target.canaries(channel) : await target.changeCanaries(channel, op, ids);
      emit(ctx, outcome, (list) => (list.length === 0 ? `channel ${channel} has no canaries\n` : `${list.join('\n')}\n`));
    });
  },
};
