// Step B.5: channel membership becomes the io.openshift.upgrades.graph.release.channels label.
import { KEY } from '../keys.js';
import { buildText, keyIgnoringBuild, parseSemver, type SemVer } from '../semver.js';
import type { Step } from '../step.js';
import type { GraphNode } from '../graph.js';
import { concreteByVersion } from './node-index.js';

export const applyChannels: Step = {
  name: 'apply-channels',
  run(graph, ctx) {
    const index = concreteByVersion(graph);
    for (const doc of ctx.graphData.channels) {
      // Parsed in a loop, not by `map`: see views.ts's `trimmed`.
      const versions: SemVer[] = [];
      for (const text of doc.versions) {
        const v = parseSemver(text);
        if (v === null) break;
        versions.push(v);
      }
      if (versions.length < doc.versions.length) {
        ctx.warn(`channels/${doc.file}: a version is not SemVer; the whole file is ignored (as upstream does)`);
        continue;
      }
      const members = new Set<GraphNode>();
      for (const v of versions) {
        const build = buildText(v);
        for (const { node, semver } of index.get(keyIgnoringBuild(v)) ?? []) {
          if (build === '' || build === buildText(semver)) members.add(node);
        }
      }
      for (const node of members) {
        const had = node.metadata.get(KEY.channels);
        node.metadata.set(KEY.channels, had === undefined ? doc.name : `${had},${doc.name}`);
      }
    }
  },
};
