// `kus release list`: the stored releases, optionally of one architecture or one channel.
import { stringFlag, targetFlags, type Command } from '../command.js';
import { emit, formatTable, withTarget } from '../output.js';

export const command: Command = {
  path: ['release', 'list'],
  summary: 'list the stored releases',
  description: 'Lists every stored release (one row per version and architecture), in version+arch order.\n' +
    'With --json, prints the releases as the admin API returns them (version, arch, payload, digest, metadata, previous, next).',
  flags: {
    arch: { type: 'string', valueName: 'ARCH', description: 'only releases of this architecture' },
    channel: { type: 'string', valueName: 'C', description: 'only releases whose version this channel lists' },
    ...targetFlags,
  },
  examples: ['kus release list', 'kus release list --arch arm64 --channel stable-4.9', 'kus release list --server http://127.0.0.1:8080 --json'],
  async run(ctx) {
    const arch = stringFlag(ctx.flags, 'arch');
    const channel = stringFlag(ctx.flags, 'channel');
    const filter = { ...(arch !== undefined ? { arch } : {}), ...(channel !== undefined ? { channel } : {}) };
    await withTarget(ctx, { create: false }, async (target) => {
      emit(ctx, await target.listReleases(filter), (releases) =>
        releases.length === 0
          ? 'no releases\n'
          : formatTable(['VERSION', 'ARCH', 'PAYLOAD'], releases.map((r) => [r.version, r.arch ?? '-', r.payload])),
      );
    });
  },
};
