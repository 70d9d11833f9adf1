// Renders a built graph into the bodies the server sends, for the build worker: every (channel, arch) body's text,
// its hash, and gzip bytes for the bodies that changed since the previous generation.
import { gzipSync } from 'node:zlib';
import { GraphViews, type BuildResult } from '../graph/index.js';
import { channelRollouts, renderKeysOf } from './rollout-bodies.js';
import { bodyHash, servedKey, servedStamp, type RenderedBody, type RenderedGeneration, type ServedHashes } from './rendered-bodies.js';

/**
 * Renders every body and compares it with what the server holds (`served`, sent with each request, so the worker keeps
 * no state between requests and can exit when idle). A publish usually changes the bodies of one or a few channels;
 * only those are gzipped and handed over, the others are reported unchanged by key.
 */
export class GenerationRenderer {
  render(built: BuildResult, started: number, served: ServedHashes): RenderedGeneration {
    const { graph, warnings } = built;
    const views = new GraphViews(graph);
    const rollouts = channelRollouts(built.rollouts, built.canaries);
    const now = Date.now();
    const changed: RenderedBody[] = [];
    const unchanged: Array<[string, string]> = [];
    // Only pairs with nodes are rendered; every other (channel, arch) is the shared empty body.
    for (const channel of views.channels()) {
      for (const arch of views.archesOf(channel)) {
        // Upstream answers 500 arch_version_error for this (channel, arch) only; every other key still serves.
        const error = views.renderError(channel, arch);
        const status = error ? error.status : 200;
        const nodes = error ? 0 : views.nodeCount(channel, arch);
        // A channel with rollouts has several bodies (rollout-bodies.ts); `key` stands where the channel name would.
        for (const { key, hidden } of renderKeysOf(channel, rollouts.get(channel), now)) {
          const text = error ? JSON.stringify(error.toBody()) : views.renderText(channel, arch, hidden);
          const hash = bodyHash(text);
          if (served.get(servedKey(arch, key)) === servedStamp(status, nodes, hash)) {
            unchanged.push([arch, key]);
            continue;
          }
          const gzip = gzipSync(text);
          // A Buffer this small may sit in Node's shared pool; copy it out so that only its own bytes are transferred.
          const own = gzip.byteOffset === 0 && gzip.byteLength === gzip.buffer.byteLength ? gzip : Uint8Array.prototype.slice.call(gzip);
          changed.push({ arch, channel: key, status, nodes, hash, gzip: own });
        }
      }
    }
    let releases = 0;
    for (const node of graph.nodes.values()) if (node.concrete) releases++;
    return { durationMs: performance.now() - started, releases, warnings, changed, unchanged, rollouts: [...rollouts.values()] };
  }
}
