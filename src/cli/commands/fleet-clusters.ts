// `kus fleet clusters`: the clusters that poll, with what they run and when they were first and last seen.
import { stringFlag, targetFlags, type Command } from '../command.js';
import { withFleetTarget } from '../fleet-target.js';
import { emit, formatTable } from '../output.js';

export const command: Command = {
  path: ['fleet', 'clusters'],
  summary: 'list the clusters that poll, optionally of one version or channel',
  description: [
    'One line per cluster (its id is ClusterVersion spec.clusterID): the version, channel and arch it reported',
    'last, and its first and last poll (RFC 3339, UTC). Clusters unseen for longer than the server\'s',
    '--fleet-retention (default 30 days) are dropped.',
  ].join('\n'),
  flags: {
    version: { type: 'string', valueName: 'VERSION', description: 'only clusters reporting this version' },
    channel: { type: 'string', valueName: 'CHANNEL', description: 'only clusters polling this channel' },
    since: { type: 'string', valueName: 'DURATION', description: 'only clusters seen within this window, e.g. 24h' },
    ...targetFlags,
  },
  examples: ['kus fleet clusters --version 4.9.15', 'kus fleet clusters --channel stable-4.9 --json'],
  async run(ctx) {
    const filter = { version: stringFlag(ctx.flags, 'version'), channel: stringFlag(ctx.flags, 'channel'), since: stringFlag(ctx.flags, 'since') };
    await withFleetTarget(ctx, async (target) => {
      emit(ctx, await target.clusters(filter), (rows) =>
        rows.length === 0
          ? 'no cluster recorded\n'
          : formatTable(['ID', 'VERSION', 'CHANNEL', 'ARCH', 'FIRST SEEN', 'LAST SEEN'], rows.map((r) => [r.id, r.version ?? '-', r.channel, r.arch, r.firstSeen, r.lastSeen])),
      );
    });
  },
};
