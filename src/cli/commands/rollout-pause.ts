// `kus rollout pause`: freeze a rollout fraction where it is (docs/rollouts.md).
import { rolloutActionCommand } from '../rollout-action.js';

export const command = rolloutActionCommand('pause', 'freeze the fraction of a rollout where it is', 'The share of clusters that see the release stays where it is now until "kus rollout resume". Clusters that saw it keep seeing it.');
