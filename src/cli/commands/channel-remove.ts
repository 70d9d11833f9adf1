// `kus channel remove`: stop offering a version to the clusters of one channel.
import { targetFlags, type Command } from '../command.js';
import { emit, withTarget } from '../output.js';
import { LOCAL_WRITE_NOTE } from '../target.js';

export const command: Command = {
  path: ['channel', 'remove'],
  summary: 'remove a version from a channel',
  description: [
    'Removes VERSION from the channel NAME; the release stays stored and in other channels. Clusters on that',
    'channel are no longer offered it (clusters already running it keep it, and are offered nothing on that',
    'channel until a newer version is listed). KUS_ERR_NOT_FOUND when the channel does not list VERSION.',
    '',
    LOCAL_WRITE_NOTE,
  ].join('\n'),
  positionals: [
    { name: 'NAME', required: true, description: 'channel name' },
    { name: 'VERSION', required: true, description: 'version to remove, as listed' },
  ],
  flags: { ...targetFlags },
  examples: ['kus channel remove stable-4.9 4.9.21-kylinsec.2'],
  async run(ctx) {
    const [name, version] = ctx.positionals as [string, string];
    await withTarget(ctx, { create: false }, async (target) => {
      emit(ctx, await target.removeFromChannel(name, version), () => `removed ${version} from channel ${name} in ${target.where}\n`);
    });
  },
};
