// Step B.4: a conditional edge is declared for step C and its `from` regex is appended to the target's
// previous.remove_regex, so the update survives only as a conditional edge.
import { KEY } from '../keys.js';
import { isValidRegex } from '../regex.js';
import { formatSemver, parseSemver } from '../semver.js';
import type { Step } from '../step.js';
import { everyArchitecture } from './arch-targets.js';
import { buildLists } from './node-index.js';

export const declareConditionalEdges: Step = {
  name: 'declare-conditional-edges',
  run(graph, ctx) {
    const builds = buildLists(graph);
    for (const doc of ctx.graphData.conditionalEdges) {
      const to = parseSemver(doc.to);
      if (!to || !isValidRegex(doc.from)) {
        ctx.warn(`blocked-edges/${doc.file}: not a valid conditional edge (to ${JSON.stringify(doc.to)}, from ${JSON.stringify(doc.from)}); ignored`);
        continue;
      }
      graph.declarations.push({ fromRegex: doc.from, to: formatSemver(to), risk: doc.risk });
      for (const target of everyArchitecture(to, builds)) {
        const node = graph.nodes.get(target);
        if (!node?.concrete) continue;
        const had = node.metadata.get(KEY.previousRemoveRegex);
        node.metadata.set(KEY.previousRemoveRegex, had === undefined ? doc.from : `${had}|${doc.from}`);
      }
    }
  },
};
