// `kus fleet updates`: the updates clusters were observed to make (their reported version changed from A to B).
import { stringFlag, targetFlags, type Command } from '../command.js';
import { withFleetTarget } from '../fleet-target.js';
import { emit, formatTable } from '../output.js';
import type { FleetUpdate } from '../../services/fleet/index.js';

/** "3h12m": a number of seconds in its largest unit and the next one. */
function humanSeconds(total: number): string {
  const units: Array<[string, number]> = [['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]];
  const i = units.findIndex(([, size]) => total >= size);
  if (i < 0) return '0s';
  const [unit, size] = units[i]!;
  const n = Math.floor(total / size);
  const next = units[i + 1];
  const m = next ? Math.floor((total - n * size) / next[1]) : 0;
  return next && m > 0 ? `${n}${unit}${m}${next[0]}` : `${n}${unit}`;
}

const took = (r: FleetUpdate): string =>
  r.tookMedian === null || r.tookP90 === null || r.tookMax === null ? '-' : `${humanSeconds(r.tookMedian)} / ${humanSeconds(r.tookP90)} / ${humanSeconds(r.tookMax)}`;

export const command: Command = {
  path: ['fleet', 'updates'],
  summary: 'show observed updates A -> B with the number of clusters',
  description: [
    'An update is observed when a cluster\'s polls report a new version. Counted per (from, to) with the first',
    'and last time it was seen; --since limits it to updates observed within that window.',
    '',
    'TOOK is how long clusters took from first being offered TO to running it: median / 90th percentile / longest.',
    '"First offered" is the first poll at which the cluster, running FROM, was served a graph with the edge',
    'FROM -> TO (see docs/fleet.md). OFFERED counts the updates this is known for; an update made without',
    'the edge being served (an explicit or forced update) is not among them.',
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
          : formatTable(
            ['FROM', 'TO', 'CLUSTERS', 'OFFERED', 'TOOK (MEDIAN/P90/MAX)', 'FIRST SEEN', 'LAST SEEN'],
            rows.map((r) => [r.from, r.to, String(r.clusters), String(r.offered), took(r), r.firstSeen, r.lastSeen]),
          ),
      );
    });
  },
};
