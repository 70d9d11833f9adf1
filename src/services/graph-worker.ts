// The build worker (a worker_threads entry, started by services/graph-builder.ts): every write that changes the graph
// input runs here, with the build that checks it and the rendering of the bodies the server then sends. The thread
// that answers clusters never builds a graph; it receives gzip bytes and swaps them in.
import { statSync } from 'node:fs';
import v8 from 'node:v8';
import { measureMemory } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { isKusError } from '../errors/index.js';
import type { BuildResult } from '../graph/index.js';
import type { YamlMemo, YamlTextMemo } from '../graph-data/index.js';
import { openStore } from '../store/index.js';
import { noteFirstServed } from './fleet/offer-notes.js';
import { bodyDigestsOf, ownBuffer, type BodyContent, type BodyDigests, type GenerationInput, type RenderedGeneration } from './rendered-bodies.js';
import { GenerationRenderer, type ViewsOf } from './graph-render.js';
import type { SyncStats } from './follow.js';
import type { Mirror, MirrorInput } from './mirror.js';
import type { SignatureCheckMemo } from './signature-check-memo.js';
import type { VerifyQuery } from './signing.js';
import { rehearsePublishes, type Rehearsal } from './publish-rehearsal.js';
import { Publisher, WORKER_READS, WRITE_METHODS, type Actor, type WorkerRead, type WriteMethod } from './publisher.js';
import { requireSignaturesGuard } from './signature-guard.js';
import { WarmGraph } from './warm-graph.js';

export interface BuildWorkerData {
  storeFile: string;
  requireSignatures: boolean;
  /** Fleet recording is on: note when each edge is first served (fleet/offer-notes.ts). */
  noteOffers?: boolean;
  /** A primary's worker: once it has built what the server serves, it rehearses a few publishes (publish-rehearsal.ts). */
  rehearse?: boolean;
}

/**
 * `served`: the stamps of the bodies the server holds now (GraphCache.servedHashes), to hand over only changes;
 * `digests`: their content digests (GraphBuilder keeps them), to render only bodies whose content changed.
 */
export type BuildRequest = { id: number; served: Map<string, string>; digests: BodyDigests; servedInput: GenerationInput | undefined } & (
  | { op: 'rebuild' }
  | { op: 'write'; method: WriteMethod; args: unknown[] }
  | { op: 'read'; method: WorkerRead; args: unknown[] }
  | { op: 'mirror'; actor: Actor; input: MirrorInput }
  | { op: 'follow'; gzip: Uint8Array; source: string }
  | { op: 'archive' }
  | { op: 'compact' }
  | { op: 'release' }
  | ({ op: 'verify' } & VerifyQuery)
);

/** The graph-data archive of what the store holds (graph-data-archive.ts), built here: a read, YAML, tar and gzip -9. */
export interface BuiltArchive {
  gzip: Uint8Array;
  files: number;
  /** Of its files, how many YAML documents were written anew (the others are the texts of unchanged input). */
  written: number;
}

/** A full collection of the worker's heap: its used heap before and after. */
export interface Collected {
  usedBefore: number;
  usedAfter: number;
}

/** What a compaction let go of (the live heap, after a full collection, before and after), and its reads of the whole input. */
export interface Compacted extends Collected {
  inputReads: number;
}

/** Sent once, after the worker's first build for a primary (BuildWorkerData.rehearse): the publishes it rehearsed. */
export interface WorkerRehearsed {
  rehearsed: Rehearsal;
}

/** What a release gave back: the used heap, the heap V8 keeps committed and the process's RSS, before and after. */
export interface Released extends Collected {
  committedBefore: number;
  committedAfter: number;
  rssBefore: number;
  rssAfter: number;
}

/** Sent after each collection that follows building requests, and why it ran (see BUILDING_OPS). */
export interface WorkerCollected {
  collected: Collected;
  after: 'growth' | 'pause';
}

/** Sent after each request's reply once the worker has finished everything that request caused. */
export interface WorkerQuiet {
  quiet: true;
}

/** An error as it crosses the thread boundary: a KusError keeps its code and details. */
export interface WireError {
  message: string;
  code?: string;
  details?: Record<string, unknown>;
  stack?: string;
}

export type BuildReply =
  | { id: number; ok: true; value?: unknown; generation?: RenderedGeneration; failure?: { durationMs: number; error: WireError } }
  | { id: number; ok: false; error: WireError };

export function toWire(err: unknown): WireError {
  if (isKusError(err)) return { message: err.message, code: err.code, ...(err.details ? { details: err.details } : {}) };
  if (err instanceof Error) return { message: err.message, ...(err.stack ? { stack: err.stack } : {}) };
  return { message: String(err) };
}

/**
 * What only a replica's sync, an archive or a mirror needs, loaded on first use: a worker starts for the first write
 * after an idle period, and loading the graph-data reader and writer, tar and the mirror client was about half of its
 * start (~0.3 s of ~0.7 s, measured on a loaded machine) before a publish could begin.
 */
const later = {
  follow: () => import('./follow.js'),
  archive: () => import('./graph-data-archive.js'),
  mirror: () => import('./mirror.js'),
  graphData: () => import('../graph-data/index.js'),
  verify: () => import('./signature-verify-here.js'),
  signatureMemo: () => import('./signature-check-memo.js'),
};

function serve(port: NonNullable<typeof parentPort>, data: BuildWorkerData): void {
  const store = openStore(data.storeFile);
  // Which file this worker opened: a generation built from another file (a store restored over this path while the
  // server ran, which the README says not to do) must never stand in for this one's parts, whatever its counter.
  const opened = statSync(data.storeFile);
  const storeFile = `${opened.dev}:${opened.ino}`;
  let renderer = new GenerationRenderer();
  // A replica's syncs, one after another, parse mostly the same files (graph-data/yaml-file.ts).
  let yamlMemo: YamlMemo | undefined;
  // And check mostly the same signatures (services/signature-check-memo.ts).
  let signatureMemo: SignatureCheckMemo | undefined;
  // And a primary's archives, one after another, write mostly the same files (graph-data/format.ts).
  let yamlTexts: YamlTextMemo | undefined;
  let started = 0;
  let served: Map<string, string> = new Map();
  let digests: BodyDigests = new Map();
  let servedInput: GenerationInput | undefined;
  let generation: RenderedGeneration | undefined;
  let failure: { durationMs: number; error: WireError } | undefined;
  /** Work for after the reply is sent (first-served edges), and why it last failed (reported with the next generation). */
  let afterReply: (() => unknown) | undefined;
  let offersError: string | undefined;
  /** Renders the build a write just stored; a failure here leaves the stored write in place and the old graph served. */
  const render = (built: BuildResult): { ok: boolean; error?: unknown } => {
    try {
      const at = Date.now();
      // Noted once the generation is handed over (see the queue below): the first time, every edge of the graph is
      // new (hundreds of thousands at upstream scale, seconds of inserts), and the server must not wait for that.
      const offers = data.noteOffers ? (viewsOf: ViewsOf, bodies: readonly BodyContent[]): void => {
        afterReply = () => noteFirstServed(store.fleet, viewsOf, bodies, at);
      } : undefined;
      generation = renderer.render(built, started, served, digests, offers);
      const input = warm.servedInput(built);
      const contents = renderer.lastContents();
      if (input !== undefined && contents !== undefined) generation.input = { ...input, contents, storeFile };
      if (offersError !== undefined) generation.offersError = offersError;
      offersError = undefined;
      return { ok: true };
    } catch (error) {
      failure = { durationMs: performance.now() - started, error: toWire(error) };
      return { ok: false, error };
    }
  };
  // The server's bodies stand for the parts a fresh worker takes over unbuilt (WarmGraph.current).
  const warm = new WarmGraph(store, (built) => {
    if (built.basis !== undefined && servedInput !== undefined) renderer.seed(built.basis.parts, servedInput.contents);
  });
  const publisher = new Publisher({
    store, rebuild: render, inputs: warm, ...(data.requireSignatures ? { checkWrite: requireSignaturesGuard(store) } : {}),
  });
  let mirror: Mirror | undefined;
  /** The used heap after the last full collection: what the worker holds, the base its growth is measured from. */
  let liveAfterCollect = 0;
  /** Done once, after this worker's first build: what it compiles stays for every later write. */
  let rehearsed = !data.rehearse;
  /** The publishes rehearsed on the build just rendered, compared with that generation, as the server will hold it. */
  const rehearse = (rendered: RenderedGeneration): void => {
    const base = warm.lastBuilt();
    const contents = renderer.lastContents();
    if (base === undefined || contents === undefined) return;
    rehearsed = true;
    port.postMessage({ rehearsed: rehearsePublishes({ ...base, contents }, bodyDigestsOf(rendered)) } satisfies WorkerRehearsed);
  };
  const collectHeap = async (): Promise<Collected> => {
    const usedBefore = v8.getHeapStatistics().used_heap_size;
    await collect();
    liveAfterCollect = v8.getHeapStatistics().used_heap_size;
    return { usedBefore, usedAfter: liveAfterCollect };
  };
  /** The collection after building requests (BUILDING_OPS), reported to the server. */
  const collectAfterBuilds = async (after: WorkerCollected['after']): Promise<void> => {
    port.postMessage({ collected: await collectHeap(), after } satisfies WorkerCollected);
  };

  const run = async (request: BuildRequest): Promise<unknown> => {
    switch (request.op) {
      case 'rebuild': {
        const result = render(warm.rebuild());
        if (!result.ok) throw result.error;
        return undefined;
      }
      case 'write':
      case 'read': {
        const allowed: readonly string[] = request.op === 'write' ? WRITE_METHODS : WORKER_READS;
        if (!allowed.includes(request.method)) throw new Error(`not a worker ${request.op}: ${String(request.method)}`);
        const method = publisher[request.method] as (...args: unknown[]) => unknown;
        return method.apply(publisher, request.args);
      }
      case 'mirror':
        mirror ??= new (await later.mirror()).Mirror({ store, rebuild: render });
        return mirror.apply(request.actor, request.input);
      case 'follow': {
        const { storeSnapshot } = await later.follow();
        yamlMemo ??= new (await later.graphData()).YamlMemo();
        signatureMemo ??= new (await later.signatureMemo()).SignatureCheckMemo();
        const memos = { yaml: yamlMemo, signatures: signatureMemo };
        // A snapshot's releases are new objects: no later build could extend their step A, so none is kept.
        render(await storeSnapshot(store, Buffer.from(request.gzip), request.source, new Date(), memos, (input) => warm.build(input, false)));
        return { parsedFiles: yamlMemo.parsedInRead, verifiedSignatures: signatureMemo.verified } satisfies SyncStats;
      }
      case 'compact': {
        // The worker stays (its compiled code is most of what makes a write fast) but lets go of its builds and views:
        // the next write stands the served parts in deferred and builds only what it changes.
        // A replica's parsed YAML stays (~22 MB at upstream scale, bounded by the archive limit), and so do its signature
        // checks (an entry per signature of the last snapshot): without them the next sync parses all 8,000 files and
        // verifies every signature again, seconds each, so the worker could let go of nothing between syncs (it kept
        // everything for 30 s after each: replica RSS 298–307 MB under graph load, 248–269 MB now).
        // Measured after a collection too, so that what it reports let go of is the builds, not the last write's garbage.
        const { usedAfter: before } = await collectHeap();
        renderer = new GenerationRenderer();
        // The texts of the input it keeps stay: a replica asks for the archive right after the next write, and the write after
        // that waits behind it (a whole archive's YAML took 1.0–1.4 s at upstream scale, against 0.15–0.3 s with them).
        yamlTexts?.compact();
        warm.compact();
        const reads = warm.counts.read;
        // Only a server's parts can stand in: without them (a replica's syncs) this would read the whole input for nothing.
        if (servedInput !== undefined) store.transaction(() => warm.current());
        const { usedAfter } = await collectHeap();
        return { usedBefore: before, usedAfter, inputReads: warm.counts.read - reads } satisfies Compacted;
      }
      case 'release': {
        const before = v8.getHeapStatistics();
        const rssBefore = process.memoryUsage.rss();
        release();
        const after = v8.getHeapStatistics();
        liveAfterCollect = after.used_heap_size;
        return {
          usedBefore: before.used_heap_size, usedAfter: after.used_heap_size, committedBefore: before.total_heap_size, committedAfter: after.total_heap_size,
          rssBefore, rssAfter: process.memoryUsage.rss(),
        } satisfies Released;
      }
      case 'verify': {
        const { verifyHere } = await later.verify();
        return verifyHere(store, request);
      }
      case 'archive': {
        const { buildHere } = await later.archive();
        const texts = (yamlTexts ??= new (await later.graphData()).YamlTextMemo());
        // From the input the worker's writes hold while the store's counter says it is what the store holds: not read
        // again, and its unchanged releases and files are the objects the memo wrote the last archive from.
        const { gzip, files } = await buildHere(store, texts, store.transaction(() => warm.current()));
        return { gzip: ownBuffer(gzip), files, written: texts.written } satisfies BuiltArchive;
      }
    }
  };

  // One request at a time, in arrival order: writes are serialized, and generations reach the server in order.
  let queue: Promise<void> = Promise.resolve();
  let waiting = 0;
  let collectTimer: NodeJS.Timeout | undefined;
  port.on('message', (request: BuildRequest) => {
    waiting++;
    clearTimeout(collectTimer);
    queue = queue.then(async () => {
      waiting--;
      started = performance.now();
      served = request.served;
      digests = request.digests;
      servedInput = request.servedInput?.storeFile === storeFile ? request.servedInput : undefined;
      warm.serving(servedInput);
      generation = undefined;
      failure = undefined;
      let reply: BuildReply;
      try {
        const value = await run(request);
        reply = { id: request.id, ok: true, value, ...(generation ? { generation } : {}), ...(failure ? { failure } : {}) };
      } catch (err) {
        // A rebuild that failed is a failure of the served graph: reported so, to be counted and logged there.
        reply = request.op === 'rebuild'
          ? { id: request.id, ok: true, failure: failure ?? { durationMs: performance.now() - started, error: toWire(err) } }
          : { id: request.id, ok: false, error: toWire(err) };
      }
      const transfer = (reply.ok ? reply.generation?.changed ?? [] : []).map((b) => b.gzip.buffer as ArrayBuffer);
      if (reply.ok && request.op === 'archive') transfer.push((reply.value as BuiltArchive).gzip.buffer as ArrayBuffer);
      port.postMessage(reply, transfer);
      const after = afterReply;
      afterReply = undefined;
      try {
        after?.();
      } catch (err) {
        // Serving the new graph matters more than timing updates: the next generation notes what this one missed.
        offersError = toWire(err).message;
      }
      // Before the worker says it is quiet, so that the server sees it busy (a write sent meanwhile waits, once).
      if (!rehearsed && waiting === 0 && (request.op === 'rebuild' || request.op === 'write') && reply.ok && reply.generation !== undefined) {
        rehearse(reply.generation);
      }
      // Only now may the server stop this worker when it has nothing else for it.
      port.postMessage({ quiet: true } satisfies WorkerQuiet);
      if (BUILDING_OPS.has(request.op) && waiting === 0) {
        // Never at once: a collection cannot be interrupted, and a publisher's next write, sent as the last one is
        // answered, would wait for it (on Node 24 every other publish in a row did: 194–267 against 69–101 ms).
        const reason = v8.getHeapStatistics().used_heap_size - liveAfterCollect > COLLECT_GROWTH_BYTES ? 'growth' : 'pause';
        collectTimer = setTimeout(() => {
          if (waiting === 0) queue = queue.then(() => collectAfterBuilds(reason));
        }, reason === 'growth' ? COLLECT_GROWN_AFTER_MS : COLLECT_AFTER_MS);
      }
    });
  });
}

/**
 * The requests that build and render. Their garbage is most of the worker's heap, and V8 lets it pile up: publishing
 * at upstream scale, each write left ~7 MB more used heap, the worker's heap kept the pages of its largest pile, and
 * the process's RSS reached 260 MB while the worker's live heap was ~24 MB. So after one of them, when no request
 * waits, the worker runs a full collection (~33 ms there, at nice 10, after the answer was sent) once it has had
 * nothing to do for COLLECT_GROWN_AFTER_MS when its used heap grew by COLLECT_GROWTH_BYTES since the last one, else for
 * COLLECT_AFTER_MS (writes in a burst share one). Measured in docs/architecture.md.
 */
const BUILDING_OPS: ReadonlySet<BuildRequest['op']> = new Set(['rebuild', 'write', 'mirror', 'follow']);
export const COLLECT_AFTER_MS = 250;
export const COLLECT_GROWN_AFTER_MS = 50;
export const COLLECT_GROWTH_BYTES = 16 * 2 ** 20;

/**
 * A full collection of this worker's heap: an idle isolate is not collected again for a long time, and until it is,
 * the builds a compaction let go of still count in the server's RSS (measured: 207–251 MB idle without, 171–178 MB
 * with, at upstream scale). An eager memory measurement runs that collection without `gc`, which only
 * `v8.setFlagsFromString('--expose-gc')` could give here: V8's flags are the whole process's, the serving thread's too.
 */
async function collect(): Promise<void> {
  await withoutWarnings(() => measureMemory({ mode: 'summary', execution: 'eager' }));
}

/**
 * A collection of all the garbage V8 can find, in its memory-reducing mode: unlike collect's, it also shrinks the young
 * generation and frees the pages V8 pools for reuse (Node 24 kept 296 of them, 74 MB, after a compaction at upstream
 * scale; `--trace-gc-verbose` names them "Pool buffering"). `v8.queryObjects` runs it before it counts (the heap
 * profiler's collection), and no other call without a V8 flag does; the count of renderers itself is not used.
 */
function release(): void {
  withoutWarnings(() => v8.queryObjects(GenerationRenderer, { format: 'count' }));
}

/** Runs an experimental V8 call: its ExperimentalWarning, emitted as it is called, would reach the server's stderr. */
function withoutWarnings<T>(call: () => T): T {
  const emitWarning = process.emitWarning;
  process.emitWarning = () => undefined;
  try {
    return call();
  } finally {
    process.emitWarning = emitWarning;
  }
}

if (parentPort) {
  serve(parentPort, workerData as BuildWorkerData);
}
