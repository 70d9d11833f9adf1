// `kus rollout complete`: offer the release to every cluster of the channel now (docs/rollouts.md).
import { rolloutActionCommand } from '../rollout-action.js';

export const command = rolloutActionCommand('complete', 'offer the release to every cluster of the channel now', 'Every cluster sees the updates into VERSION, requests without an id included. The rollout is kept as completed.');
