// What crosses from the build worker to the serving thread: rendered bodies, their hashes, and the keys both sides
// compare them by (graph-render.ts renders in the worker, graph-cache.ts serves on the serving thread).
import { createHash } from 'node:crypto';
import type { BuildWarning } from '../graph/index.js';
import type { ChannelRollouts } from './rollout-bodies.js';
import type { ServedInput } from './warm-graph.js';

/** The hash an entity tag is made of: the same bytes always give the same tags, whichever thread rendered them. */
export function bodyHash(plain: Uint8Array | string): string {
  return createHash('sha256').update(plain).digest('base64url').slice(0, 32);
}

/**
 * The bytes on a buffer of their own, ready to be transferred to another thread: a small Buffer may sit in Node's shared
 * pool, and transferring that would hand over (and detach) other buffers' bytes too.
 */
export function ownBuffer(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : Uint8Array.prototype.slice.call(bytes);
}

/** One (channel, arch) body as the build worker hands it over. */
export interface RenderedBody {
  arch: string;
  channel: string;
  status: number;
  nodes: number;
  hash: string;
  gzip: Uint8Array;
  /** The served versions of its nodes, newline-separated (200 bodies only): the fleet inventory reads these, not the body. */
  versions?: string;
}

/** One (channel, arch) content as the renderer digested it (GraphViews.bodyDigest), rollout variants aside. */
export interface BodyContent {
  channel: string;
  arch: string;
  digest: string;
}

/**
 * A generation rendered by the build worker: the bodies that changed since the generation it rendered before, and the
 * keys of those that did not (the serving thread keeps its ServedBody for them, ETags and gzip included).
 */
export interface RenderedGeneration {
  durationMs: number;
  releases: number;
  warnings: BuildWarning[];
  changed: RenderedBody[];
  unchanged: Array<[arch: string, channel: string]>;
  /** Every body of the generation: its key, its content digest (GraphViews.bodyDigest) and its stamp. */
  digests: Array<[key: string, digest: string, stamp: string]>;
  /** Channels with rollouts: their bodies are keyed by rollout-bodies.ts's variantKey, chosen per request. */
  rollouts: ChannelRollouts[];
  /** Why the first-served edge times of this generation could not be noted (the generation is served all the same). */
  offersError?: string;
  /** Of the build's parts by architecture, how many were built (the others were taken over unbuilt); absent for a whole build. */
  parts?: { built: number; total: number };
  /** What a build worker started afresh needs to take this generation's parts over unbuilt; absent when it cannot. */
  input?: GenerationInput;
}

/**
 * What the serving thread keeps of the generation it serves and sends with each request, for a build worker that has
 * no build of its own (WarmGraph.current, GenerationRenderer.seed): the store file and its change count of the input
 * it was built from, each architecture's warnings and release count, and the content digest of every body.
 */
export interface GenerationInput extends ServedInput {
  /** The store file the worker read (device and inode): counts of another file say nothing of this one's input. */
  storeFile: string;
  contents: ReadonlyArray<readonly [arch: string, channel: string, digest: string]>;
}

/** `arch \0 channel` → `status \0 nodes \0 hash` of each body the server holds. */
export type ServedHashes = ReadonlyMap<string, string>;

/**
 * `arch \0 channel` → the content digest and the stamp of the body last rendered for it. Kept by the serving thread
 * (GraphBuilder) from the generations it installed and sent with each request, so that a build worker started afresh
 * still knows which bodies it need not render.
 */
export type BodyDigests = ReadonlyMap<string, readonly [digest: string, stamp: string]>;

/** The BodyDigests of a generation's bodies: what the serving thread keeps once it has installed that generation. */
export function bodyDigestsOf(generation: Pick<RenderedGeneration, 'digests'>): Map<string, readonly [digest: string, stamp: string]> {
  return new Map(generation.digests.map(([key, digest, stamp]) => [key, [digest, stamp] as const]));
}

export const servedKey = (arch: string, channel: string): string => `${arch}\u0000${channel}`;
export const servedStamp = (status: number, nodes: number, hash: string): string => `${status}\u0000${nodes}\u0000${hash}`;
