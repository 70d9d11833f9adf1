// `kus channel list`: the channels and how many versions each lists, or the versions of one channel.
import { KusError, quote } from '../../errors/index.js';
import { targetFlags, type Command } from '../command.js';
import { emit, formatTable, withTarget } from '../output.js';

export const command: Command = {
  path: ['channel', 'list'],
  summary: 'list the channels, or the versions of one channel',
  description: 'Without NAME: one row per channel with the number of versions it lists and the last one listed.\n' +
    'With NAME: the versions of that channel, one per line, in their listed order (KUS_ERR_NOT_FOUND when there is no\n' +
    'such channel). With --json, prints the channels (name, file, versions), or the one channel.',
  positionals: [{ name: 'NAME', description: 'show the versions of this channel' }],
  flags: { ...targetFlags },
  examples: ['kus channel list', 'kus channel list stable-4.9', 'kus channel list --server http://127.0.0.1:8080 --json'],
  async run(ctx) {
    const name = ctx.positionals[0];
    await withTarget(ctx, { create: false }, async (target) => {
      const outcome = await target.listChannels();
      if (name === undefined) {
        emit(ctx, outcome, (channels) =>
          channels.length === 0
            ? 'no channels\n'
            : formatTable(['CHANNEL', 'VERSIONS', 'LAST LISTED'], channels.map((c) => [c.name, String(c.versions.length), c.versions.at(-1) ?? '-'])),
        );
        return;
      }
      const channel = outcome.value.find((c) => c.name === name);
      if (!channel) throw new KusError('KUS_ERR_NOT_FOUND', `there is no channel ${quote(name)} in ${target.where}`, { channel: name });
      emit(ctx, { value: channel, warnings: outcome.warnings }, (c) => (c.versions.length === 0 ? `${c.name} lists no versions\n` : `${c.versions.join('\n')}\n`));
    });
  },
};
