// `kus fleet versions`: how many clusters run each version, per channel and architecture.
import { stringFlag, targetFlags, type Command } from '../command.js';
import { withFleetTarget } from '../fleet-target.js';
import { emit, formatTable } from '../output.js';

export const command: Command = {
  path: ['fleet', 'versions'],
  summary: 'count the clusters per channel, architecture and version they report',
  description: [
    'Every graph request a cluster sends carries its id, version, channel and arch; kus serve records them (see',
    'kus serve --fleet-retention, --no-fleet). This prints, per (channel, arch, version), how many clusters last',
    'reported it. --since limits it to clusters seen within that window. A poll shows here within 5 seconds.',
  ].join('\n'),
  flags: {
    since: { type: 'string', valueName: 'DURATION', description: 'only clusters seen within this window, e.g. 24h, 7d (default: all recorded)' },
    ...targetFlags,
  },
  examples: ['kus fleet versions --since 24h', 'kus fleet versions --json | jq \'map(select(.version == "4.9.15")) | map(.clusters) | add\''],
  async run(ctx) {
    await withFleetTarget(ctx, async (target) => {
      emit(ctx, await target.versions(stringFlag(ctx.flags, 'since')), (rows) =>
        rows.length === 0
          ? 'no cluster recorded\n'
          : formatTable(['CHANNEL', 'ARCH', 'VERSION', 'CLUSTERS'], rows.map((r) => [r.channel, r.arch, r.version ?? '-', String(r.clusters)])),
      );
    });
  },
};
