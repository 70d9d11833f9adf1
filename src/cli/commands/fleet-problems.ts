// `kus fleet problems`: clusters that are offered no update, why, and what to do about it.
import { stringFlag, targetFlags, type Command } from '../command.js';
import { withFleetTarget } from '../fleet-target.js';
import { emit, formatTable } from '../output.js';

export const command: Command = {
  path: ['fleet', 'problems'],
  summary: 'list clusters that get no update (VersionNotFound, unknown channel, arch not served, stopped polling)',
  description: [
    'Compares each recorded cluster with the graph being served, as the cluster reads it:',
    '  VersionNotFound  its version is not a node of the channel it polls: add the version to the channel',
    '                   (kus channel add CHANNEL VERSION), or switch the cluster to a channel that lists it',
    '  ChannelNotFound  the channel it polls does not exist (or lists no releases)',
    '  ArchNotServed    the channel has no releases of the cluster\'s architecture',
    '  Unseen           it polled daily (on 2 or more UTC days, and on at least 3/4 of the days from its first poll',
    '                   to its last) but not for longer than --unseen: check it is up and still reaches this server',
    '                   (ClusterVersion spec.upstream, proxy, network); a retired one goes after --fleet-retention',
  ].join('\n'),
  flags: {
    unseen: { type: 'string', valueName: 'DURATION', description: 'list clusters seen daily and not for longer than this as Unseen (default 2d)' },
    ...targetFlags,
  },
  examples: ['kus fleet problems --unseen 3d', 'kus fleet problems', 'kus fleet problems --json | jq \'group_by(.reason) | map({reason: .[0].reason, clusters: length})\''],
  async run(ctx) {
    await withFleetTarget(ctx, async (target) => {
      emit(ctx, await target.problems(stringFlag(ctx.flags, 'unseen')), (rows) =>
        rows.length === 0
          ? 'no problem: every recorded cluster polls a channel that lists its version\n'
          : formatTable(['ID', 'REASON', 'VERSION', 'CHANNEL', 'ARCH', 'WHAT TO DO'], rows.map((r) => [r.id, r.reason, r.version ?? '-', r.channel, r.arch, r.hint])),
      );
    });
  },
};
