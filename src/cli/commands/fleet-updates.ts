// `kus fleet updates`: the updates clusters were observed to make (their reported version changed from A to B).
import { stringFlag, targetFlags, type Command } from '../command.js';
import { withFleetTarget } from '../fleet-target.js';
import { emit, formatTable } from '../output.js';

export const command: Command = {
  path: ['fleet', 'updates'],
  summary: 'show observed updates A -> B with the number of clusters',
  description: [
    'An update is observed when a cluster\'s polls report a new version. Counted per (from, to) with the first',
    'and last time it was seen; --since limits it to updates observed within that window.',
  ].join('\n'),
  flags: {
    since: { type: 'string', valueName: 'DURATION', description: 'only updates observed within this window, e.g. 7d (default: all recorded)' },
    ...targetFlags,
  },
  examples: ['kus fleet updates --since 7d', 'kus fleet updates --json'],
  async run(ctx) {
    await withFleetTarget(ctx, async (target) => {
      emit(ctx, await target.updates(stringFlag(ctx.flags, 'since')), (rows) =>
        rows.length === 0
          ? 'no update observed\n'
          : formatTable(['FROM', 'TO', 'CLUSTERS', 'FIRST SEEN', 'LAST SEEN'], rows.map((r) => [r.from, r.to, String(r.clusters), r.firstSeen, r.lastSeen])),
      );
    });
  },
};
