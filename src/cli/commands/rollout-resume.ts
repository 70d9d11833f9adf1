// `kus rollout resume`: continue a paused rollout from where it stopped (docs/rollouts.md).
import { rolloutActionCommand } from '../rollout-action.js';

export const command = rolloutActionCommand('resume', 'continue a paused rollout from where it stopped', 'The fraction continues from the value it was paused at, rising at the same rate as before.');
