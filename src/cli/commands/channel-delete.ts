// `kus channel delete`: remove a channel; clusters subscribed to it get an empty graph.
import { targetFlags, type Command } from '../command.js';
import { emit, withTarget } from '../output.js';
import { LOCAL_WRITE_NOTE } from '../target.js';

export const command: Command = {
  path: ['channel', 'delete'],
  summary: 'delete a channel',
  description: [
    'Deletes the channel NAME and its version list; the releases stay. Clusters still set to that channel get an',
    'empty graph (no updates offered). KUS_ERR_NOT_FOUND when there is no such channel.',
    '',
    LOCAL_WRITE_NOTE,
  ].join('\n'),
  positionals: [{ name: 'NAME', required: true, description: 'channel name' }],
  flags: { ...targetFlags },
  examples: ['kus channel delete candidate-4.10'],
  async run(ctx) {
    const name = ctx.positionals[0]!;
    await withTarget(ctx, { create: false }, async (target) => {
      emit(ctx, await target.deleteChannel(name), () => `deleted channel ${name} from ${target.where}\n`);
    });
  },
};
