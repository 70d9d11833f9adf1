// Optional step: releases labelled io.openshift.upgrades.graph.release.remove=true leave the graph with their edges
// (upstream's node-remove plugin; not in upstream's default pipelines, so off unless asked for).
import { KEY } from '../keys.js';
import type { Step } from '../step.js';

export const removeFlaggedReleases: Step = {
  name: 'remove-flagged-releases',
  run(graph, ctx) {
    for (const node of [...graph.nodes.values()]) {
      if (node.concrete && node.metadata.get(KEY.releaseRemove) === 'true') {
        graph.removeNode(node.version);
        ctx.warn(`${node.version} removed: ${KEY.releaseRemove} is "true"`);
      }
    }
  },
};
