// Step B.2: raw/metadata.json adds metadata to every concrete node of that version, whatever its architecture.
import { parseSemver, keyIgnoringBuild } from '../semver.js';
import type { Step } from '../step.js';
import { concreteByVersion } from './node-index.js';

export const applyRawMetadata: Step = {
  name: 'apply-raw-metadata',
  run(graph, ctx) {
    const index = concreteByVersion(graph);
    for (const [version, entries] of ctx.graphData.rawMetadata) {
      const v = parseSemver(version);
      if (!v) {
        ctx.warn(`raw/metadata.json: ${JSON.stringify(version)} is not a SemVer version; its metadata is ignored`);
        continue;
      }
      const targets = index.get(keyIgnoringBuild(v)) ?? [];
      for (const [key, value] of Object.entries(entries)) {
        for (const { node } of targets) {
          const had = node.metadata.get(key);
          node.metadata.set(key, had === undefined ? value : `${had},${value}`);
        }
      }
    }
  },
};
