// `kus rollout abort`: stop offering the release to anyone in the channel (docs/rollouts.md).
import { rolloutActionCommand } from '../rollout-action.js';

export const command = rolloutActionCommand('abort', 'stop offering the release to anyone in the channel', 'No cluster is offered updates into VERSION any more, canaries included. Clusters that already run it still find it (the node stays in the graph), with its updates out. To offer it again, start a new rollout.');
