// Renders a built graph into the bodies the server sends, for the build worker: the text, hash and gzip bytes of each
// (channel, arch) body whose content changed since the generation the server holds.
import crypto from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { GraphViews, type BuildBasis, type BuildResult } from '../graph/index.js';
import {
  bodyHash, ownBuffer, servedKey, servedStamp, type BodyContent, type BodyDigests, type RenderedBody, type RenderedGeneration, type ServedHashes,
} from './rendered-bodies.js';
import { channelRollouts, renderKeysOf } from './rollout-bodies.js';

/**
 * Equal digests stand for equal bodies, so a collision-resistant hash. A publish digests ~6,500 texts at upstream
 * scale; the one-shot `crypto.hash` (Node 20.12+) gives the same SHA-256 in about half the time of a Hash object each.
 * `engines` still admits Node 20.9–20.11, which lack it.
 */
const digestOf: (text: string) => string = typeof crypto.hash === 'function'
  ? (text) => crypto.hash('sha256', text, 'base64')
  : (text) => crypto.createHash('sha256').update(text).digest('base64');

/** The views a body of `arch` is rendered from. */
export type ViewsOf = (arch: string) => GraphViews;

/** What one render collects, body by body. */
interface Collected {
  changed: RenderedBody[];
  unchanged: Array<[string, string]>;
  digests: Array<[string, string, string]>;
  bodies: BodyContent[];
  /** Content digest of each (arch, channel), for the next render. */
  contents: Map<string, string>;
}

type Graph = BuildResult['graph'];

/**
 * Renders the bodies whose content may have changed and compares them with what the server holds (`served`, sent with
 * each request with the digests of what it holds, so a new worker, after the last one exited when idle, renders no
 * more than a warm one). A body whose content digest (GraphViews.bodyDigest: its releases, their metadata, edges and risks) equals
 * the one of the body the server holds is not rendered at all: at upstream scale a publish changes the bodies of a
 * few channels of one arch, and rendering all ~300 bodies (43 MB of JSON) was the largest part of a write.
 * Changed bodies are gzipped and handed over; the others are reported unchanged by key and keep their bytes and ETags.
 */
export class GenerationRenderer {
  /**
   * The parts of the build rendered last and each body's content digest: a body of an architecture whose part the next
   * build took over unchanged (graph/partitioned-build.ts) has the same content, so its digest is not computed again.
   * At upstream scale digesting every body was ~55 ms of a publish that changes one architecture in four.
   */
  private last: { parts: BuildBasis['parts']; digests: ReadonlyMap<string, string> } | undefined;
  /**
   * Views of each architecture's part, kept while the part lives: a part taken over by the next build keeps its
   * views, so a publish indexes only the architecture it rebuilt (a whole graph's views were ~20 ms per publish).
   */
  private readonly partViews = new WeakMap<Graph, GraphViews>();

  /** `contents`, when given, is told every (channel, arch) content of the generation with the views it was read from. */
  render(
    built: BuildResult & { basis?: BuildBasis | undefined }, started: number, served: ServedHashes, previous: BodyDigests = new Map(),
    contents?: (viewsOf: ViewsOf, bodies: readonly BodyContent[]) => void,
  ): RenderedGeneration {
    const { warnings } = built;
    const parts = built.basis?.parts;
    const last = this.last;
    this.last = undefined;
    const rollouts = channelRollouts(built.rollouts, built.canaries);
    const now = Date.now();
    const out: Collected = { changed: [], unchanged: [], digests: [], bodies: [], contents: new Map() };
    const at = { rollouts, now, served, previous };
    const each = (views: GraphViews, reusedArch?: string): void => {
      // Only pairs with nodes are rendered; every other (channel, arch) is the shared empty body.
      for (const channel of views.channels()) {
        for (const arch of views.archesOf(channel)) {
          const known = arch === reusedArch ? last?.digests.get(servedKey(arch, channel)) : undefined;
          this.body(views, channel, arch, known, at, out);
        }
      }
    };
    let viewsOf: ViewsOf;
    if (parts === undefined) {
      const views = new GraphViews(built.graph);
      each(views);
      viewsOf = () => views;
    } else {
      const byArch = new Map<string, GraphViews>();
      for (const [arch, part] of parts) {
        let views = this.partViews.get(part.graph);
        if (views === undefined) {
          this.partViews.set(part.graph, (views = new GraphViews(part.graph)));
          const before = last?.parts.get(arch);
          const beforeViews = before === undefined ? undefined : this.partViews.get(before.graph);
          if (beforeViews !== undefined) views.adoptDigests(beforeViews);
        }
        byArch.set(arch, views);
        each(views, last !== undefined && last.parts.get(arch) === part ? arch : undefined);
      }
      viewsOf = (arch) => byArch.get(arch)!;
      this.last = { parts, digests: out.contents };
    }
    contents?.(viewsOf, out.bodies);
    let releases = 0;
    for (const g of parts === undefined ? [built.graph] : [...parts.values()].map((p) => p.graph)) for (const node of g.nodes.values()) if (node.concrete) releases++;
    return {
      durationMs: performance.now() - started, releases, warnings, changed: out.changed, unchanged: out.unchanged, digests: out.digests,
      rollouts: [...rollouts.values()],
    };
  }

  /** One (channel, arch) content and its rollout variants: reported unchanged, or rendered and gzipped. */
  private body(
    views: GraphViews, channel: string, arch: string, known: string | undefined,
    at: { rollouts: ReturnType<typeof channelRollouts>; now: number; served: ServedHashes; previous: BodyDigests }, out: Collected,
  ): void {
    const content = known ?? views.bodyDigest(channel, arch, digestOf);
    out.contents.set(servedKey(arch, channel), content);
    out.bodies.push({ channel, arch, digest: content });
    let versions: string | undefined;
    // A channel with rollouts has several bodies (rollout-bodies.ts); `key` stands where the channel name would,
    // and the versions a variant hides are part of what its digest covers.
    for (const { key, hidden } of renderKeysOf(channel, at.rollouts.get(channel), at.now)) {
      const servedAs = servedKey(arch, key);
      const digest = hidden === undefined ? content : digestOf(`${content}\u0000${[...hidden].sort().join('\u0001')}`);
      const before = at.previous.get(servedAs);
      const held = at.served.get(servedAs);
      if (before !== undefined && before[0] === digest && held !== undefined && held === before[1]) {
        out.unchanged.push([arch, key]);
        out.digests.push([servedAs, digest, held]);
        continue;
      }
      // Upstream answers 500 arch_version_error for this (channel, arch) only; every other key still serves.
      const error = views.renderError(channel, arch);
      const status = error ? error.status : 200;
      const text = error ? JSON.stringify(error.toBody()) : views.renderText(channel, arch, hidden);
      const nodes = error ? 0 : views.nodeCount(channel, arch);
      const hash = bodyHash(text);
      const stamp = servedStamp(status, nodes, hash);
      out.digests.push([servedAs, digest, stamp]);
      if (held === stamp) {
        out.unchanged.push([arch, key]);
        continue;
      }
      const own = ownBuffer(gzipSync(text));
      if (status === 200) versions ??= views.servedVersions(channel, arch).join('\n');
      out.changed.push({ arch, channel: key, status, nodes, hash, gzip: own, ...(versions === undefined ? {} : { versions }) });
    }
  }
}
