// Step B.6: channel labels in upstream's order — by the part after the first "-", then by full name
// (candidate-4.10,fast-4.10,stable-4.10,candidate-4.9,...). Clusters show this list as the release's channels.
import { KEY } from '../keys.js';
import type { Step } from '../step.js';

const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function sortChannelLabel(value: string): string {
  const suffix = (name: string): string => {
    const dash = name.indexOf('-');
    return dash < 0 ? '' : name.slice(dash + 1);
  };
  // Array.prototype.sort is stable, which the second pass relies on.
  return value.split(',').sort(byteOrder).sort((a, b) => byteOrder(suffix(a), suffix(b))).join(',');
}

export const sortChannelLabels: Step = {
  name: 'sort-channel-labels',
  run(graph, ctx) {
    for (const node of graph.nodes.values()) {
      const value = node.metadata.get(KEY.channels);
      if (value === undefined) continue;
      if (value.split(',').some((c) => !c.includes('-'))) {
        ctx.warn(`${node.version}: channel label ${JSON.stringify(value)} has a name without "-" (upstream would abort the build)`);
      }
      node.metadata.set(KEY.channels, sortChannelLabel(value));
    }
  },
};
