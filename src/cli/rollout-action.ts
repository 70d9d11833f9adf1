// The four rollout state changes share one shape: CHANNEL VERSION, one admin call, the rollout after it.
import type { RolloutAction } from '../services/rollouts.js';
import { targetFlags, type Command } from './command.js';
import { emit } from './output.js';
import { rolloutLine } from './rollout-output.js';
import { withRolloutTarget } from './rollout-target.js';

export function rolloutActionCommand(action: RolloutAction, summary: string, description: string): Command {
  return {
    path: ['rollout', action],
    summary,
    description: `${description}\nSee "kus rollout start --help" for how rollouts work; "kus rollout list" shows them.`,
    positionals: [
      { name: 'CHANNEL', required: true, description: 'channel name, e.g. stable-4.9' },
      { name: 'VERSION', required: true, description: 'the version whose rollout to change' },
    ],
    flags: { ...targetFlags },
    examples: [`kus rollout ${action} stable-4.9 4.9.22`],
    async run(ctx) {
      const [channel, version] = ctx.positionals as [string, string];
      await withRolloutTarget(ctx, async (target) => {
        const outcome = await target.change(channel, version, action);
        emit(ctx, outcome, (r) => (outcome.changed === false ? `nothing changed: ${rolloutLine(r)}` : rolloutLine(r)));
      });
    },
  };
}
