// `kus channel create`: a new, empty channel clusters can subscribe to.
import { targetFlags, type Command } from '../command.js';
import { emit, withTarget } from '../output.js';
import { LOCAL_WRITE_NOTE } from '../target.js';

export const command: Command = {
  path: ['channel', 'create'],
  summary: 'create an empty channel',
  description: [
    'Creates the channel NAME with no versions; add versions with "kus channel add". The name must be usable by',
    'clusters: lower-case letters, digits, "." and "-", with at least one "-" (e.g. stable-4.9), else',
    'KUS_ERR_INVALID_CHANNEL. Creating a channel that exists already changes nothing.',
    '',
    LOCAL_WRITE_NOTE,
  ].join('\n'),
  positionals: [{ name: 'NAME', required: true, description: 'channel name, e.g. candidate-4.10' }],
  flags: { ...targetFlags },
  examples: ['kus channel create candidate-4.10', 'kus channel create eus-4.10 --server http://127.0.0.1:8080 --token "$KUS_TOKEN"'],
  async run(ctx) {
    const name = ctx.positionals[0]!;
    await withTarget(ctx, { create: true }, async (target) => {
      const outcome = await target.createChannel(name);
      emit(ctx, outcome, () =>
        outcome.changed === false ? `channel ${name} exists already; nothing changed\n` : `created channel ${name} in ${target.where}\n`,
      );
    });
  },
};
