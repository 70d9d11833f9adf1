// `kus channel add`: list a version in a channel; promotion (candidate → fast → stable) is adding to the next one.
import { targetFlags, type Command } from '../command.js';
import { emit, withTarget } from '../output.js';
import { LOCAL_WRITE_NOTE } from '../target.js';

export const command: Command = {
  path: ['channel', 'add'],
  summary: 'add a version to a channel (how a release is promoted)',
  description: [
    'Lists VERSION in the channel NAME, so clusters on that channel are offered it. A version without an',
    'architecture covers every architecture it is stored for; VERSION+ARCH (4.9.15+arm64) only that one. A version',
    'with no stored release (of that architecture) is refused with KUS_ERR_NOT_FOUND, as is an unknown channel',
    '(create it with "kus channel create").',
    '',
    'Promotion is adding the same version to the next channel: a release in candidate-4.9 is promoted with',
    '"kus channel add fast-4.9 VERSION" and later "kus channel add stable-4.9 VERSION". Adding a version a',
    'channel already lists changes nothing.',
    '',
    LOCAL_WRITE_NOTE,
  ].join('\n'),
  positionals: [
    { name: 'NAME', required: true, description: 'channel name, e.g. fast-4.9' },
    { name: 'VERSION', required: true, description: 'version to list, optionally with +ARCH' },
  ],
  flags: { ...targetFlags },
  examples: [
    'kus channel add candidate-4.9 4.9.15',
    'kus channel add fast-4.9 4.9.15      # promote from candidate to fast',
    'kus channel add stable-4.9 4.9.15    # and on to stable',
  ],
  async run(ctx) {
    const [name, version] = ctx.positionals as [string, string];
    await withTarget(ctx, { create: false }, async (target) => {
      const outcome = await target.addToChannel(name, version);
      emit(ctx, outcome, () =>
        outcome.changed === false ? `${name} already lists ${version}; nothing changed\n` : `added ${version} to channel ${name} in ${target.where}\n`,
      );
    });
  },
};
