// `kus fleet problems`: clusters that are offered no update, why, and what to do about it.
import { targetFlags, type Command } from '../command.js';
import { withFleetTarget } from '../fleet-target.js';
import { emit, formatTable } from '../output.js';

export const command: Command = {
  path: ['fleet', 'problems'],
  summary: 'list clusters that get no update (VersionNotFound, unknown channel, arch not served)',
  description: [
    'Compares each recorded cluster with the graph being served, as the cluster reads it:',
    '  VersionNotFound  its version is not a node of the channel it polls: add the version to the channel',
    '                   (kus channel add CHANNEL VERSION), or switch the cluster to a channel that lists it',
    '  ChannelNotFound  the channel it polls does not exist (or lists no releases)',
    '  ArchNotServed    the channel has no releases of the cluster\'s architecture',
  ].join('\n'),
  flags: { ...targetFlags },
  examples: ['kus fleet problems', 'kus fleet problems --json | jq \'group_by(.reason) | map({reason: .[0].reason, clusters: length})\''],
  async run(ctx) {
    await withFleetTarget(ctx, async (target) => {
      emit(ctx, await target.problems(), (rows) =>
        rows.length === 0
          ? 'no problem: every recorded cluster polls a channel that lists its version\n'
          : formatTable(['ID', 'REASON', 'VERSION', 'CHANNEL', 'ARCH', 'WHAT TO DO'], rows.map((r) => [r.id, r.reason, r.version ?? '-', r.channel, r.arch, r.hint])),
      );
    });
  },
};
