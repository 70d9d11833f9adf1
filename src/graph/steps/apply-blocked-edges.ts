// Step B.3: a plain blocked edge sets previous.remove_regex on its target nodes; step C then drops matching parents.
import { KEY } from '../keys.js';
import { isValidRegex } from '../regex.js';
import { parseSemver } from '../semver.js';
import type { Step } from '../step.js';
import { plainBlockTargets } from './arch-targets.js';
import { buildLists } from './node-index.js';

export const applyBlockedEdges: Step = {
  name: 'apply-blocked-edges',
  run(graph, ctx) {
    const builds = buildLists(graph);
    const setBy = new Map<string, string>();
    for (const doc of ctx.graphData.blockedEdges) {
      const to = parseSemver(doc.to);
      if (!to || !isValidRegex(doc.from)) {
        ctx.warn(`blocked-edges/${doc.file}: not a valid blocked edge (to ${JSON.stringify(doc.to)}, from ${JSON.stringify(doc.from)}); ignored`);
        continue;
      }
      for (const target of plainBlockTargets(to, builds)) {
        const node = graph.nodes.get(target);
        if (!node?.concrete) continue;
        // Upstream overwrites: with two plain files for one target only the last (by file name) counts.
        const earlier = setBy.get(target);
        if (earlier !== undefined) ctx.warn(`blocked-edges/${doc.file} replaces the block of blocked-edges/${earlier} on ${target}`);
        setBy.set(target, doc.file);
        node.metadata.set(KEY.previousRemoveRegex, doc.from);
      }
    }
  },
};
