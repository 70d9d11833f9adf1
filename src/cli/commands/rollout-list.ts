// `kus rollout list`: every phased rollout and the share of clusters it reaches now.
import { targetFlags, type Command } from '../command.js';
import { emit } from '../output.js';
import { rolloutTable } from '../rollout-output.js';
import { withRolloutTarget } from '../rollout-target.js';

export const command: Command = {
  path: ['rollout', 'list'],
  summary: 'list phased rollouts with the share of clusters they reach now',
  description: [
    'One row per rollout: channel, version, state (active, paused, completed, aborted) and FRACTION, the share of',
    'clusters (by wariness) that see the updates into the version at this moment, by the clock of the server asked',
    '(or of this machine with --db).',
    '',
    'Evidence from the fleet inventory, since the rollout\'s start: ELIGIBLE clusters of the channel ran a version with',
    'an edge into VERSION; SAW of them were shown that edge; UPDATED moved to VERSION; STALLED saw it and then stopped',
    'polling (kus serve --rollout-silent-after) or reported another version. "-" when the server records no fleet.',
    'HALT AT is --halt-on-stalled N: the rollout is paused by itself once STALLED reaches it.',
    '',
    'With --json: an array of {channel, version, state, fraction (0-1), start, startPercentage, durationSeconds,',
    'pausedFraction, haltOnStalled (N or null), halted ({at, stalled, haltOnStalled, reason} or null),',
    'evidence ({eligible, sawEdge, updated, stalled, stalledIds} or null)}.',
  ].join('\n'),
  flags: { ...targetFlags },
  examples: ['kus rollout list', 'kus rollout list --json | jq \'.[] | select(.state == "active")\''],
  async run(ctx) {
    await withRolloutTarget(ctx, async (target) => emit(ctx, await target.list(), rolloutTable));
  },
};
