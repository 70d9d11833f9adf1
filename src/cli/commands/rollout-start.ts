// `kus rollout start`: offer a release in a channel to a growing share of the clusters (docs/rollouts.md).
import { KusError, quote } from '../../errors/index.js';
import { stringFlag, targetFlags, type Command } from '../command.js';
import { emit } from '../output.js';
import { rolloutLine } from '../rollout-output.js';
import { withRolloutTarget } from '../rollout-target.js';

export const command: Command = {
  path: ['rollout', 'start'],
  summary: 'start a phased rollout: offer VERSION in CHANNEL to a growing share of clusters',
  description: [
    'Clusters in CHANNEL see the updates INTO VERSION only once the rollout reaches them. Each cluster has a fixed',
    '"wariness" between 0 and 1 derived from its id; it sees the release while its wariness is at most the',
    'rollout\'s fraction: 0 before --start, --start-percentage/100 at --start, rising linearly to 1 after --duration.',
    'The release node itself stays in the graph, so clusters already running it still find it.',
    '',
    'Canaries (kus channel canaries CHANNEL add ID) see it from the start; requests without a cluster id only',
    'once the rollout reaches 100%. Pause, resume, complete or abort it with "kus rollout pause|resume|complete|abort".',
    'VERSION must be listed in CHANNEL already (kus channel add). A server evaluates the fraction on each request',
    'with its own clock; replicas follow the rollout through their graph-data sync.',
    '',
    '--halt-on-stalled N: "kus serve" (the primary, recording its fleet) pauses the rollout by itself once N clusters',
    'that were shown the new edge, from a version with an edge into VERSION, then stopped polling (--rollout-silent-after)',
    'or reported another version than VERSION. It checks every --rollout-check-interval; the pause is audited as',
    'rollout.halt by rule:halt-on-stalled with the count, and counted in kus_rollout_halts_total. "kus rollout list"',
    'shows the counts; "kus rollout resume" goes on (and the rule watches again).',
  ].join('\n'),
  positionals: [
    { name: 'CHANNEL', required: true, description: 'channel name, e.g. stable-4.9' },
    { name: 'VERSION', required: true, description: 'a version the channel lists, e.g. 4.9.22' },
  ],
  flags: {
    duration: { type: 'string', valueName: 'DURATION', required: true, description: 'time from start to 100%: a whole number and s, m, h or d (48h, 7d)' },
    start: { type: 'string', valueName: 'TIME', description: 'RFC 3339 start time, e.g. 2026-12-24T08:00:00Z (default: now)' },
    'start-percentage': { type: 'string', valueName: 'PERCENT', description: 'share of clusters at the start, 0-100 (default 0)' },
    'halt-on-stalled': { type: 'string', valueName: 'N', description: 'pause it automatically once N clusters stalled on it (default: never)' },
    ...targetFlags,
  },
  examples: [
    'kus rollout start stable-4.9 4.9.22 --duration 48h',
    'kus rollout start stable-4.9 4.9.22 --duration 7d --start 2026-12-24T08:00:00Z --start-percentage 5',
    'kus rollout start stable-4.9 4.9.22 --duration 48h --start-percentage 5 --halt-on-stalled 3',
  ],
  async run(ctx) {
    const [channel, version] = ctx.positionals as [string, string];
    const duration = stringFlag(ctx.flags, 'duration');
    if (duration === undefined) throw new KusError('KUS_ERR_USAGE', 'missing --duration (e.g. --duration 48h)');
    const start = stringFlag(ctx.flags, 'start');
    const pct = stringFlag(ctx.flags, 'start-percentage');
    let startPercentage: number | undefined;
    if (pct !== undefined) {
      startPercentage = /^\d+(\.\d+)?$/.test(pct) ? Number(pct) : NaN;
      if (!(startPercentage >= 0 && startPercentage <= 100)) throw new KusError('KUS_ERR_INVALID_ROLLOUT', `--start-percentage ${quote(pct)} is not a number between 0 and 100`, { startPercentage: pct });
    }
    const halt = stringFlag(ctx.flags, 'halt-on-stalled');
    let haltOnStalled: number | undefined;
    if (halt !== undefined) {
      haltOnStalled = /^[1-9][0-9]{0,8}$/.test(halt) ? Number(halt) : NaN;
      if (Number.isNaN(haltOnStalled)) throw new KusError('KUS_ERR_INVALID_ROLLOUT', `--halt-on-stalled ${quote(halt)} is not a whole number of at least 1`, { haltOnStalled: halt });
    }
    await withRolloutTarget(ctx, async (target) => {
      const outcome = await target.start({
        channel, version, duration, ...(start !== undefined ? { start } : {}), ...(startPercentage !== undefined ? { startPercentage } : {}),
        ...(haltOnStalled !== undefined ? { haltOnStalled } : {}),
      });
      emit(ctx, outcome, (r) => `started in ${target.where}: ${rolloutLine(r)}`);
    });
  },
};
