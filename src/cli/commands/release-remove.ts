// `kus release remove`: delete one release (one version of one architecture) from the store.
import { stringFlag, targetFlags, type Command } from '../command.js';
import { emit, withTarget } from '../output.js';
import { LOCAL_WRITE_NOTE } from '../target.js';

export const command: Command = {
  path: ['release', 'remove'],
  summary: 'remove a release of one architecture',
  description: [
    'Removes the release VERSION of --arch, and so the node from the graph. While a channel still lists that',
    'version it is refused (KUS_ERR_CONFLICT), because clusters on that channel would lose their update path:',
    'remove it from the channels first ("kus channel remove"), or pass --force, which also takes it out of those',
    'channels (a plain VERSION entry stays while another architecture of that version is stored).',
    '',
    LOCAL_WRITE_NOTE,
  ].join('\n'),
  positionals: [{ name: 'VERSION', required: true, description: 'SemVer of the release, without the architecture' }],
  flags: {
    arch: { type: 'string', valueName: 'ARCH', required: true, description: 'architecture of the release to remove' },
    force: { type: 'boolean', description: 'remove it even though a channel lists the version' },
    ...targetFlags,
  },
  examples: ['kus release remove 4.9.22-kylinsec.1 --arch arm64', 'kus release remove 4.9.22-kylinsec.1 --arch arm64 --force'],
  async run(ctx) {
    const version = ctx.positionals[0]!;
    const arch = stringFlag(ctx.flags, 'arch')!;
    await withTarget(ctx, { create: false }, async (target) => {
      emit(ctx, await target.removeRelease(version, arch, ctx.flags.force === true), () => `removed ${version}+${arch} from ${target.where}\n`);
    });
  },
};
