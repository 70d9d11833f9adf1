// Renders a built graph into the bodies the server sends, for the build worker: the text, hash and gzip bytes of each
// (channel, arch) body whose content changed since the generation the server holds.
import crypto from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { GraphViews, type BuildBasis, type BuildResult, type Part } from '../graph/index.js';
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
  /** Content digest of each (channel) by arch, for the next render. */
  contents: Map<string, Array<[channel: string, digest: string]>>;
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
   * The parts of the build rendered last and each body's content digest, by architecture: a body of an architecture
   * whose part the next build took over unchanged (graph/partitioned-build.ts) has the same content, so its digest is
   * not computed again, nor its part's views made. At upstream scale digesting every body was ~55 ms of a publish that
   * changes one architecture in four. A worker started afresh gets this from the server instead (seed).
   */
  private last: { parts: BuildBasis['parts']; contents: ReadonlyMap<string, ReadonlyArray<readonly [channel: string, digest: string]>> } | undefined;
  /**
   * Views of each architecture's part, kept while the part lives: a part taken over by the next build keeps its
   * views, so a publish indexes only the architecture it rebuilt (a whole graph's views were ~20 ms per publish).
   */
  private readonly partViews = new WeakMap<Graph, GraphViews>();

  /**
   * Stands in for a render of `parts` that this renderer never made: `contents` are the (arch, channel, digest) of every
   * body the server holds, rendered from parts with the same input (WarmGraph checks that). A part the next build takes
   * over is then neither built nor digested unless a body of it must be rendered again.
   */
  seed(parts: BuildBasis['parts'], contents: ReadonlyArray<readonly [arch: string, channel: string, digest: string]>): void {
    const byArch = new Map<string, Array<[string, string]>>();
    for (const [arch, channel, digest] of contents) {
      const list = byArch.get(arch);
      if (list) list.push([channel, digest]);
      else byArch.set(arch, [[channel, digest]]);
    }
    this.last = { parts, contents: byArch };
  }

  /** Every (arch, channel, content digest) of the parts rendered last: what the server hands a fresh worker's seed. */
  lastContents(): Array<[arch: string, channel: string, digest: string]> | undefined {
    if (this.last === undefined) return undefined;
    const out: Array<[string, string, string]> = [];
    for (const [arch, list] of this.last.contents) for (const [channel, digest] of list) out.push([arch, channel, digest]);
    return out;
  }

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
    let viewsOf: ViewsOf;
    let releases = 0;
    if (parts === undefined) {
      const views = new GraphViews(built.graph);
      // Only pairs with nodes are rendered; every other (channel, arch) is the shared empty body.
      for (const channel of views.channels()) for (const arch of views.archesOf(channel)) this.body(() => views, channel, arch, undefined, at, out);
      viewsOf = () => views;
      for (const node of built.graph.nodes.values()) if (node.concrete) releases++;
    } else {
      const byArch = new Map<string, () => GraphViews>();
      for (const [arch, part] of parts) {
        const views = (): GraphViews => this.viewsOfPart(part, last?.parts.get(arch));
        byArch.set(arch, views);
        releases += part.concrete;
        const known = last !== undefined && last.parts.get(arch) === part ? last.contents.get(arch) ?? [] : undefined;
        if (known !== undefined) {
          for (const [channel, digest] of known) this.body(views, channel, arch, digest, at, out);
          continue;
        }
        const made = views();
        // A part serves its own architecture only.
        for (const channel of made.channels()) for (const a of made.archesOf(channel)) this.body(views, channel, a, undefined, at, out);
      }
      viewsOf = (arch) => byArch.get(arch)!();
      this.last = { parts, contents: out.contents };
    }
    contents?.(viewsOf, out.bodies);
    let partsBuilt = 0;
    for (const part of parts?.values() ?? []) {
      // `built`, not `graph`: reading a deferred part's graph would build it.
      if (part.built === undefined) continue;
      partsBuilt++;
      this.partViews.get(part.built)?.dropRenderMemos();
    }
    return {
      durationMs: performance.now() - started, releases, warnings, changed: out.changed, unchanged: out.unchanged, digests: out.digests,
      rollouts: [...rollouts.values()], ...(parts === undefined ? {} : { parts: { built: partsBuilt, total: parts.size } }),
    };
  }

  /**
   * The views of a part, made once per part; a part that replaces `before` takes over the digests of the nodes it shares
   * with it, when `before` was built and rendered (a part not built yet is not built for this).
   */
  private viewsOfPart(part: Part, before: Part | undefined): GraphViews {
    let views = this.partViews.get(part.graph);
    if (views === undefined) {
      this.partViews.set(part.graph, (views = new GraphViews(part.graph)));
      const beforeViews = before === undefined || before === part || before.built === undefined ? undefined : this.partViews.get(before.built);
      if (beforeViews !== undefined) views.adoptDigests(beforeViews);
    }
    return views;
  }

  /** One (channel, arch) content and its rollout variants: reported unchanged, or rendered and gzipped. */
  private body(
    viewsOf: () => GraphViews, channel: string, arch: string, known: string | undefined,
    at: { rollouts: ReturnType<typeof channelRollouts>; now: number; served: ServedHashes; previous: BodyDigests }, out: Collected,
  ): void {
    const content = known ?? viewsOf().bodyDigest(channel, arch, digestOf);
    let list = out.contents.get(arch);
    if (list === undefined) out.contents.set(arch, (list = []));
    list.push([channel, content]);
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
      const views = viewsOf();
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
