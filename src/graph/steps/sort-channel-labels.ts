// Step B.6: channel labels in upstream's order — by the part after the first "-", then by full name
// (candidate-4.10,fast-4.10,stable-4.10,candidate-4.9,...). Clusters show this list as the release's channels.
import { KEY } from '../keys.js';
import type { Step } from '../step.js';

const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const suffix = (name: string): string => {
  const dash = name.indexOf('-');
  return dash < 0 ? '' : name.slice(dash + 1);
};

/**
 * Upstream sorts by full name, then (stably) by suffix: the same order as one sort by (suffix, full name), which
 * this does with each suffix cut once rather than twice per comparison.
 */
export function sortChannelLabel(value: string): string {
  // Lists made by loops, not by `map`, for the reason views.ts's `trimmed` gives.
  const names = value.split(',');
  const items: Array<{ name: string; suffix: string }> = [];
  for (const name of names) items.push({ name, suffix: suffix(name) });
  items.sort((a, b) => byteOrder(a.suffix, b.suffix) || byteOrder(a.name, b.name));
  for (let i = 0; i < items.length; i++) names[i] = items[i]!.name;
  return names.join(',');
}

export const sortChannelLabels: Step = {
  name: 'sort-channel-labels',
  run(graph, ctx) {
    // Every architecture of a version, and most versions of a minor, carry the same label: each distinct value is
    // checked and sorted once per build (at upstream scale 6,251 nodes share a few hundred values).
    const seen = new Map<string, { sorted: string; dashless: boolean }>();
    for (const node of graph.nodes.values()) {
      const value = node.metadata.get(KEY.channels);
      if (value === undefined) continue;
      let done = seen.get(value);
      if (done === undefined) {
        done = { sorted: sortChannelLabel(value), dashless: value.split(',').some((c) => !c.includes('-')) };
        seen.set(value, done);
      }
      if (done.dashless) {
        ctx.warn(`${node.version}: channel label ${JSON.stringify(value)} has a name without "-" (upstream would abort the build)`);
      }
      node.metadata.set(KEY.channels, done.sorted);
    }
  },
};
