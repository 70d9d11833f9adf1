// The served-graph cache: build the full graph, pre-render every (channel, arch) body, then swap it in at once.
import { gunzipSync, gzipSync } from 'node:zlib';
import { LRUCache } from 'lru-cache';
import type { ServiceLogger } from './logger.js';
import type { UpstreamError } from '../errors/index.js';
import { buildGraph, GraphViews, type BuildInput, type BuildWarning } from '../graph/index.js';
import { channelRollouts, renderKeysOf, RolloutSelector, type ChannelRollouts } from './rollout-bodies.js';
import { bodyHash, servedKey, servedStamp, type RenderedBody, type RenderedGeneration } from './rendered-bodies.js';

export type { BuildInput };

export interface GraphCacheOptions {
  /** Reads the current inputs (synchronously: better-sqlite3 reads are synchronous). */
  load: () => BuildInput;
  logger: ServiceLogger;
  /** Render every body in the background after a swap (default true); tests turn it off to observe laziness. */
  warmUp?: boolean;
}

/** Longest stretch the background warm-up keeps the event loop busy before yielding to requests. */
const WARM_SLICE_MS = 4;

/** The body of the empty graph, served for channels or arches the graph does not have. */
export const EMPTY_GRAPH_BODY = '{"version":1,"nodes":[],"edges":[],"conditionalEdges":[]}';

/**
 * Bytes of plain (not gzip) copies the serving thread keeps of the bodies the build worker rendered. Clusters ask for
 * gzip; a plain copy is for `curl` and the like. Kept on each body, asking for every body of the generated
 * upstream-scale store once without gzip (what the benchmark's survey does) added 63 MB to the process for as long as
 * those bodies were served. The budget holds a few dozen of the largest bodies; the others are inflated per request.
 */
export const INFLATED_BODIES_BUDGET_BYTES = 8 * 1024 * 1024;

/** Index into ServedBody's ETag list: media type (vnd or application/json) × encoding (identity or gzip). */
export const Variant = { Vnd: 0, VndGzip: 1, Json: 2, JsonGzip: 3 } as const;
export type Variant = (typeof Variant)[keyof typeof Variant];

// Strong ETags must differ between representations, so media type and encoding are part of the tag.
const etagsOf = (hash: string): readonly [string, string, string, string] => [`"${hash}"`, `"${hash}-gz"`, `"${hash}-json"`, `"${hash}-json-gz"`];

/**
 * One response of a generation. The rebuild decides status and node count and keeps a renderer; text, bytes, strong
 * ETags and gzip bytes are produced once, on first use (or by the background warm-up), and memoised on this entry.
 * Why: on 3000 releases × 4 arches × 80 channels (320 bodies, 10 MB of JSON) rendering every body costs about as much
 * as building the graph, and encoding, hashing and gzipping them ~100 ms more; deferring keeps the rebuild — during
 * which nothing else runs — short, and a single body renders in well under a millisecond.
 */
export class ServedBody {
  // lru-cache rather than toad-cache: toad-cache bounds the number of entries, and these bodies run from 44 to 381 KB on the
  // generated upstream-scale store. Keyed by the body's hash, so that a copy pins no body of a generation no longer
  // served, and the same bytes in the next generation find it; each entry counts its key and bookkeeping too.
  private static readonly inflated = new LRUCache<string, Buffer>({
    maxSize: INFLATED_BODIES_BUDGET_BYTES,
    sizeCalculation: (bytes) => bytes.byteLength + 256,
  });

  /** Bytes of the plain copies of rendered bodies held now (at most INFLATED_BODIES_BUDGET_BYTES). */
  static inflatedBytes(): number {
    return ServedBody.inflated.calculatedSize;
  }

  readonly status: number;
  /** Concrete nodes in the body (0 for errors); reported as a metric. */
  readonly nodes: number;
  private render: (() => string) | undefined;
  private bytes: Buffer | undefined;
  private etags: readonly [string, string, string, string] | undefined;
  private gzipped: Buffer | undefined;
  private hash: string | undefined;

  /** The served versions of its nodes (empty for errors): what the fleet inventory compares clusters with. */
  readonly versions: readonly string[];

  constructor(status: number, body: string | (() => string), nodes: number, versions: readonly string[] = []) {
    this.status = status;
    this.render = typeof body === 'string' ? () => body : body;
    this.nodes = nodes;
    this.versions = versions;
  }

  /**
   * A body the build worker rendered: only its gzip bytes and hash cross to the serving thread. The plain bytes are
   * inflated when asked for (clusters ask for gzip) and kept only within INFLATED_BODIES_BUDGET_BYTES, so a generation
   * costs the serving thread a few MB, not the ~63 MB of JSON an upstream-scale graph renders to.
   */
  static fromRendered(body: RenderedBody): ServedBody {
    const served = new ServedBody(body.status, '', body.nodes, body.versions ? body.versions.split('\n') : []);
    served.render = undefined;
    served.gzipped = Buffer.from(body.gzip.buffer, body.gzip.byteOffset, body.gzip.byteLength);
    served.etags = etagsOf(body.hash);
    served.hash = body.hash;
    return served;
  }

  /** The hash of the body's bytes when known without rendering (bodies the build worker rendered). */
  get knownHash(): string | undefined {
    return this.hash;
  }

  get rendered(): boolean {
    return this.bytes !== undefined || this.gzipped !== undefined;
  }

  get plain(): Buffer {
    if (this.bytes !== undefined) return this.bytes;
    if (this.render === undefined) return this.inflate();
    this.bytes = Buffer.from(this.render());
    this.render = undefined; // drop the renderer's reference once the bytes exist
    return this.bytes;
  }

  /** The plain bytes of a body that arrived as gzip only, with its hash (fromRendered), from the shared bounded cache. */
  private inflate(): Buffer {
    let bytes = ServedBody.inflated.get(this.hash!);
    if (bytes === undefined) ServedBody.inflated.set(this.hash!, (bytes = gunzipSync(this.gzipped!)));
    return bytes;
  }

  etag(variant: Variant): string {
    this.etags ??= etagsOf(bodyHash(this.plain));
    return this.etags[variant];
  }

  gzip(): Buffer {
    this.gzipped ??= gzipSync(this.plain);
    return this.gzipped;
  }
}

/** An immutable, fully rendered generation of the served graph. */
export interface GraphSnapshot {
  readonly builtAt: Date;
  readonly durationMs: number;
  /** Concrete releases (nodes with a payload) in the full graph. */
  readonly releases: number;
  readonly warnings: readonly BuildWarning[];
  /** arch → channel → body; a channel with rollouts also has its variants (rollout-bodies.ts's variantKey). */
  readonly bodies: ReadonlyMap<string, ReadonlyMap<string, ServedBody>>;
  /** Channels with rollouts: how a request picks its variant. */
  readonly rollouts: ReadonlyMap<string, RolloutSelector>;
}

export type RebuildResult =
  | { ok: true; durationMs: number; releases: number; warnings: readonly BuildWarning[] }
  | { ok: false; durationMs: number; error: unknown };

export interface GraphCacheStats {
  builds: number;
  failures: number;
  ready: boolean;
  lastDurationMs: number | null;
  lastSuccessAt: Date | null;
  releases: number;
}

/** What every body of one (channel, arch) shares, whatever its rollout variant: worked out once. */
interface ChannelArch {
  channel: string;
  arch: string;
  /** Upstream answers 500 arch_version_error for this (channel, arch) only; every other key still serves. */
  error: UpstreamError | null;
  nodes: number;
  versions: readonly string[];
}

function channelArchOf(views: GraphViews, channel: string, arch: string): ChannelArch {
  const error = views.renderError(channel, arch);
  return { channel, arch, error, nodes: error ? 0 : views.nodeCount(channel, arch), versions: error ? [] : views.servedVersions(channel, arch) };
}

function renderBody(views: GraphViews, { channel, arch, error, nodes, versions }: ChannelArch, hidden: ReadonlySet<string> | undefined): ServedBody {
  if (error) return new ServedBody(error.status, JSON.stringify(error.toBody()), 0);
  return new ServedBody(200, () => views.renderText(channel, arch, hidden), nodes, versions);
}

const selectorsOf = (rollouts: Iterable<ChannelRollouts>): Map<string, RolloutSelector> =>
  new Map([...rollouts].map((r) => [r.channel, new RolloutSelector(r)]));

export class GraphCache {
  private readonly load: () => BuildInput;
  private readonly logger: ServiceLogger;
  private readonly empty = new ServedBody(200, EMPTY_GRAPH_BODY, 0);
  private current: GraphSnapshot | undefined;
  private readonly swapListeners = new Set<() => void>();
  private builds = 0;
  private failures = 0;
  private lastDurationMs: number | null = null;

  private readonly warmUp: boolean;

  constructor(options: GraphCacheOptions) {
    this.load = options.load;
    this.logger = options.logger;
    this.warmUp = options.warmUp ?? true;
  }

  /**
   * Renders (and gzips) a new generation's bodies in slices of at most a few milliseconds between requests, so that
   * first requests after a change find them ready without the rebuild itself paying for all of them.
   */
  private warm(snapshot: GraphSnapshot): void {
    const pending = [...snapshot.bodies.values()].flatMap((byChannel) => [...byChannel.values()]);
    const step = (): void => {
      const until = performance.now() + WARM_SLICE_MS;
      while (pending.length > 0 && performance.now() < until) {
        if (this.current !== snapshot) return; // a newer generation replaced this one
        pending.pop()!.gzip();
      }
      if (pending.length > 0) setImmediate(step).unref();
    };
    setImmediate(step).unref();
  }

  /** True once a build succeeded; stays true, because a failed rebuild keeps the last good graph. */
  get ready(): boolean {
    return this.current !== undefined;
  }

  /** Calls `listener` at each swap of a new generation until the returned function is called (long polls wait on it). */
  onSwap(listener: () => void): () => void {
    this.swapListeners.add(listener);
    return () => this.swapListeners.delete(listener);
  }

  private swapped(): void {
    for (const listener of [...this.swapListeners]) listener();
  }

  get snapshot(): GraphSnapshot | undefined {
    return this.current;
  }

  /** The body for a validated (channel, arch); unknown keys (or no build yet) get the empty graph. */
  lookup(channel: string, arch: string): ServedBody {
    return this.current?.bodies.get(arch)?.get(channel) ?? this.empty;
  }

  /**
   * The body a cluster gets: lookup's, unless the channel has rollouts; then the variant for the rollouts this
   * cluster passes at `now` (Unix ms), from its wariness (services/wariness.ts) and canonical id (for canaries).
   */
  lookupFor(channel: string, arch: string, cluster: { readonly wariness: number; readonly clusterId: string | undefined }, now: number): ServedBody {
    const current = this.current;
    const selector = current?.rollouts.get(channel);
    if (selector === undefined) return current?.bodies.get(arch)?.get(channel) ?? this.empty;
    const byChannel = current!.bodies.get(arch);
    if (byChannel === undefined) return this.empty;
    // The cluster's wariness is read (and hashed, graph-query-memo.ts) only here, for a channel with rollouts.
    return byChannel.get(selector.key(cluster.wariness, cluster.clusterId, now)) ?? byChannel.get(selector.keyFallback) ?? this.empty;
  }

  /**
   * Builds and renders a new generation and swaps it in with one assignment. Never throws: a failure is logged and
   * counted, the previous generation keeps being served, and the result says what happened so a writer can report it.
   */
  rebuild(): RebuildResult {
    const started = performance.now();
    try {
      const { graph, warnings, rollouts: list, canaries } = buildGraph(this.load());
      const views = new GraphViews(graph);
      const channels = views.channels();
      const bodies = new Map<string, Map<string, ServedBody>>();
      const rollouts = channelRollouts(list, canaries);
      const now = Date.now();
      // Only pairs with nodes are rendered; every other (channel, arch) is the shared empty body.
      for (const channel of channels) {
        for (const arch of views.archesOf(channel)) {
          let byChannel = bodies.get(arch);
          if (!byChannel) bodies.set(arch, (byChannel = new Map()));
          const shared = channelArchOf(views, channel, arch);
          for (const { key, hidden } of renderKeysOf(channel, rollouts.get(channel), now)) byChannel.set(key, renderBody(views, shared, hidden));
        }
      }
      let releases = 0;
      for (const node of graph.nodes.values()) if (node.concrete) releases++;
      const durationMs = performance.now() - started;
      const snapshot: GraphSnapshot = { builtAt: new Date(), durationMs, releases, warnings, bodies, rollouts: selectorsOf(rollouts.values()) };
      this.current = snapshot;
      this.swapped();
      if (this.warmUp) this.warm(snapshot);
      this.builds++;
      this.lastDurationMs = durationMs;
      this.logger.info(
        { durationMs: Math.round(durationMs * 10) / 10, releases, channels: channels.length, arches: bodies.size, warnings: warnings.length },
        'graph rebuilt',
      );
      if (warnings.length > 0) this.logger.warn({ warnings: warnings.slice(0, 20), total: warnings.length }, 'graph build warnings');
      return { ok: true, durationMs, releases, warnings };
    } catch (error) {
      const durationMs = performance.now() - started;
      this.failures++;
      this.lastDurationMs = durationMs;
      this.logger.error({ err: error, failures: this.failures, serving: this.current ? 'previous graph' : 'nothing yet' }, 'graph rebuild failed');
      return { ok: false, durationMs, error };
    }
  }

  /** What the build worker compares a new generation with: the stamp of every body whose hash is known. */
  servedHashes(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [arch, byChannel] of this.current?.bodies ?? []) {
      for (const [channel, body] of byChannel) {
        if (body.knownHash !== undefined) out.set(servedKey(arch, channel), servedStamp(body.status, body.nodes, body.knownHash));
      }
    }
    return out;
  }

  /**
   * Swaps in a generation the build worker rendered, with one assignment; bodies it reports unchanged are taken from
   * the generation being replaced. Throws (and swaps nothing) when an unchanged body is not there to take.
   */
  install(generation: RenderedGeneration): RebuildResult {
    const { durationMs, releases, warnings } = generation;
    const bodies = new Map<string, Map<string, ServedBody>>();
    const put = (arch: string, channel: string, body: ServedBody): void => {
      let byChannel = bodies.get(arch);
      if (!byChannel) bodies.set(arch, (byChannel = new Map()));
      byChannel.set(channel, body);
    };
    for (const [arch, channel] of generation.unchanged) {
      const kept = this.current?.bodies.get(arch)?.get(channel);
      if (kept === undefined) throw new Error(`the build worker kept ${channel}/${arch}, which the served generation does not have`);
      put(arch, channel, kept);
    }
    for (const body of generation.changed) put(body.arch, body.channel, ServedBody.fromRendered(body));
    this.current = { builtAt: new Date(), durationMs, releases, warnings, bodies, rollouts: selectorsOf(generation.rollouts) };
    this.swapped();
    this.builds++;
    this.lastDurationMs = durationMs;
    this.logger.info(
      {
        durationMs: Math.round(durationMs * 10) / 10, releases, bodies: generation.changed.length + generation.unchanged.length, changed: generation.changed.length,
        warnings: warnings.length,
        // Architectures whose part the worker has built, of all: a fresh worker builds only those a write changes.
        ...(generation.parts ? { architecturesBuilt: `${generation.parts.built}/${generation.parts.total}` } : {}),
      },
      'graph rebuilt',
    );
    if (warnings.length > 0) this.logger.warn({ warnings: warnings.slice(0, 20), total: warnings.length }, 'graph build warnings');
    return { ok: true, durationMs, releases, warnings };
  }

  /** Counts and logs a build that failed elsewhere (the build worker); the served generation stays. */
  recordFailure(durationMs: number, error: unknown): RebuildResult {
    this.failures++;
    this.lastDurationMs = durationMs;
    this.logger.error({ err: error, failures: this.failures, serving: this.current ? 'previous graph' : 'nothing yet' }, 'graph rebuild failed');
    return { ok: false, durationMs, error };
  }

  stats(): GraphCacheStats {
    return {
      builds: this.builds,
      failures: this.failures,
      ready: this.ready,
      lastDurationMs: this.lastDurationMs,
      lastSuccessAt: this.current?.builtAt ?? null,
      releases: this.current?.releases ?? 0,
    };
  }
}
