// The serving thread's side of the build worker (services/graph-worker.ts): sends it writes, rebuilds and replica
// snapshots one at a time, and swaps in each generation it hands back. Nothing here builds or renders a graph.
import type { Worker } from 'node:worker_threads';
import { KusError } from '../errors/index.js';
import type { ErrorCode } from '../errors/index.js';
import type { GraphCache, RebuildResult } from './graph-cache.js';
import type { ServiceLogger } from './logger.js';
import type { BuildReply, BuildRequest, BuildWorkerData, BuiltArchive, Collected, Compacted, Released, WireError, WorkerCollected, WorkerQuiet, WorkerRehearsed } from './graph-worker.js';
import type { Rehearsal } from './publish-rehearsal.js';
import { bodyDigestsOf, type BodyDigests, type GenerationInput } from './rendered-bodies.js';
import type { SyncStats } from './follow.js';
import type { MirrorInput, MirrorReport } from './mirror.js';
import type { ChannelReport, ReleaseReport } from './signature-report.js';
import type { VerifyQuery } from './signing.js';
import { backgroundWorker } from './thread-priority.js';
import { WORKER_READS, WRITE_METHODS, type Actor, type Publisher, type PublisherApi, type WorkerRead, type WriteMethod, type WriteResult } from './publisher.js';

export interface GraphBuilderOptions {
  /** The SQLite file; the worker opens its own connection to it. */
  storeFile: string;
  graphs: GraphCache;
  logger: ServiceLogger;
  /** `kus serve --require-signatures`: the worker checks each write as the Publisher does. */
  requireSignatures?: boolean;
  /** How long a worker without work keeps its builds (default DEFAULT_IDLE_MS); then it lets go of them, and stays. */
  idleMs?: number;
  /** How long a worker without work keeps the memory its heap has free (default DEFAULT_RELEASE_MS); then it gives it back, and stays. */
  releaseMs?: number;
  /** How long a worker without work lives on (default DEFAULT_EXIT_MS); not less than idleMs: it exits without compacting. */
  exitMs?: number;
  /** Fleet recording is on: the worker notes when each edge is first served. */
  noteOffers?: boolean;
  /** A primary's: the worker rehearses a few publishes once it has built what the server serves (publish-rehearsal.ts). */
  rehearse?: boolean;
}

/** Long enough for a burst of writes (an admin script, `kus mirror`) to share one worker's builds; short enough to give memory back. */
export const DEFAULT_IDLE_MS = 2000;
/**
 * A worker idle this long gives back the memory V8 keeps for its next builds: a pool of freed pages (74 MB at upstream
 * scale on Node 24) and its young generation, which its compaction leaves in place. Measured in docs/architecture.md,
 * Node 24, a minute after publishing: a primary's RSS 242 → 158–161 MB, a replica's 370 → 189–193 MB; the first burst
 * of writes after it is slower (its collections run about twice as long), so not at the compaction, 2 s after a write,
 * but once a burst is clearly over. Node 20's V8 (11.3) gives the same memory back by itself in an idle isolate (the
 * same 120 MB after a minute with and without), and there the release only slowed the next burst: never on it.
 */
export const DEFAULT_RELEASE_MS = Number(process.versions.v8.split('.')[0]) >= 12 ? 60_000 : Infinity;
/**
 * An idle worker stays this long after letting go of its builds: its compiled code makes the next write fast (a worker
 * started afresh spends ~100 ms loading modules and runs its first build in V8's slowest tiers), at ~25–35 MB of RSS
 * (docs/architecture.md). A server idle for longer gives that back too.
 */
export const DEFAULT_EXIT_MS = 10 * 60_000;

/** A reply, and what installing its generation (or recording its failure) gave, if it carried either. */
interface Done {
  reply: BuildReply;
  installed: RebuildResult | undefined;
}

type Request = BuildRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id' | 'served' | 'digests' | 'servedInput'> : never) : never;

function fromWire(error: WireError): Error {
  if (error.code !== undefined) return new KusError(error.code as ErrorCode, error.message, error.details);
  const err = new Error(error.message);
  if (error.stack !== undefined) err.stack = error.stack;
  return err;
}

/** The worker module next to this one (.ts when this file runs from source, as tests do through tap's loader). */
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './graph-worker.ts' : './graph-worker.js', import.meta.url);

export class GraphBuilder {
  private readonly options: GraphBuilderOptions;
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { worker: Worker; resolve: (done: Done) => void; reject: (err: Error) => void }>();
  private closed = false;
  /** How many of the idle steps (see idle) the worker has taken since its last request. */
  private idleSteps = 0;
  /** What the last compaction let go of (tests read it). */
  lastCompaction: Compacted | undefined;
  /** What the last release gave back (tests read it). */
  lastRelease: Released | undefined;
  /** The publishes the worker rehearsed after its first build, when it did (tests read it). */
  lastRehearsal: Rehearsal | undefined;
  /** Why each collection the worker ran after building requests ran, and the last one's figures (tests read them). */
  collections: Array<WorkerCollected['after']> = [];
  lastCollection: Collected | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private queue: Promise<void> = Promise.resolve();
  /** Content digests of the bodies of the generation installed last (see BodyDigests); replaced at each install. */
  private digests: BodyDigests = new Map();
  /** What a fresh worker needs of the generation installed last (GenerationInput); replaced at each install. */
  private served: GenerationInput | undefined;
  /** Of the last generation installed, how many of its parts by architecture the worker has built (tests read it). */
  lastParts: { built: number; total: number } | undefined;

  constructor(options: GraphBuilderOptions) {
    this.options = options;
  }

  /** True while a request is with the worker (a write, a rebuild or a sync being built and rendered). */
  get busy(): boolean {
    return this.pending.size > 0;
  }

  /** True while a worker thread exists (it exits exitMs after its last request). */
  get running(): boolean {
    return this.worker !== undefined;
  }

  /** The worker thread's id, while one exists (tests tell a kept worker from a new one). */
  get threadId(): number | undefined {
    return this.worker?.threadId;
  }

  /** Builds the stored input and swaps it in; a failure is logged and counted, and the last good graph stays. */
  async rebuild(): Promise<RebuildResult> {
    const { reply, installed } = await this.call({ op: 'rebuild' });
    if (!reply.ok) return this.options.graphs.recordFailure(0, fromWire(reply.error));
    return installed ?? this.options.graphs.recordFailure(0, new Error('the build worker returned no graph'));
  }

  /** Runs a Publisher write in the worker; resolves once the served graph shows it. */
  async write<T>(method: WriteMethod, args: unknown[]): Promise<WriteResult<T>> {
    const { reply } = await this.call({ op: 'write', method, args });
    return this.settle<WriteResult<T>>(reply);
  }

  async mirror(actor: Actor, input: MirrorInput): Promise<WriteResult<MirrorReport>> {
    const { reply } = await this.call({ op: 'mirror', actor, input });
    return this.settle<WriteResult<MirrorReport>>(reply);
  }

  /** A replica's sync: the worker checks, stores and renders the primary's snapshot (see Follower's `swap`). */
  async follow(gzip: Buffer, source: string): Promise<SyncStats> {
    const bytes = new Uint8Array(gzip); // a copy of its own, so that it can be transferred
    const { reply, installed: result } = await this.call({ op: 'follow', gzip: bytes, source }, [bytes.buffer]);
    if (!reply.ok) throw fromWire(reply.error);
    if (result && !result.ok) {
      throw new KusError('KUS_ERR_INTERNAL', `the snapshot from ${JSON.stringify(source)} was stored, but rendering it failed: ${String(result.error)}`);
    }
    return reply.value as SyncStats;
  }

  /**
   * The graph-data archive of what the store holds, built in the worker after any write queued before it: reading the
   * whole store into YAML, tar and gzip -9 takes hundreds of ms at upstream scale, which the serving thread must not spend.
   */
  async graphDataArchive(): Promise<{ gzip: Buffer; files: number; written: number }> {
    const { reply } = await this.call({ op: 'archive' });
    const built = this.settle<BuiltArchive>(reply);
    return { gzip: Buffer.from(built.gzip.buffer, built.gzip.byteOffset, built.gzip.byteLength), files: built.files, written: built.written };
  }

  /** A signature report (services/signature-verify-here.ts), made in the worker after any write queued before it. */
  async verifySignatures(query: VerifyQuery): Promise<ReleaseReport | ChannelReport> {
    const { reply } = await this.call({ op: 'verify', ...query });
    return this.settle<ReleaseReport | ChannelReport>(reply);
  }

  /** A Publisher read made in the worker (WORKER_READS), after any write queued before it. */
  async read<T>(method: WorkerRead, args: unknown[]): Promise<T> {
    const { reply } = await this.call({ op: 'read', method, args });
    return this.settle<T>(reply);
  }

  /** A Publisher whose reads run here (on `local`), but for WORKER_READS, and whose writes run in the worker. */
  publisher(local: Publisher): PublisherApi {
    const writes = WRITE_METHODS.map((method) => [method, (...args: unknown[]) => this.write(method, args)]);
    const reads = WORKER_READS.map((method) => [method, (...args: unknown[]) => this.read(method, args)]);
    return Object.assign(Object.create(local) as Publisher, Object.fromEntries([...writes, ...reads])) as unknown as PublisherApi;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private settle<T>(reply: BuildReply): T {
    if (!reply.ok) throw fromWire(reply.error);
    return reply.value as T;
  }

  /** Swaps in the generation a reply carries (or records its failure); undefined when it carries neither. */
  private install(reply: BuildReply): RebuildResult | undefined {
    if (!reply.ok) return undefined;
    const { graphs } = this.options;
    if (reply.failure) return graphs.recordFailure(reply.failure.durationMs, fromWire(reply.failure.error));
    if (!reply.generation) return undefined;
    try {
      const installed = graphs.install(reply.generation);
      this.digests = bodyDigestsOf(reply.generation);
      this.served = reply.generation.input;
      this.lastParts = reply.generation.parts;
      if (reply.generation.offersError !== undefined) {
        this.options.logger.error({ err: reply.generation.offersError }, 'could not note the edges the new graph serves first (fleet updates will lack their offer time)');
      }
      return installed;
    } catch (err) {
      // Requests go one at a time with the stamps of what is served, so the worker cannot name a body this thread
      // lacks; if it ever did, nothing is swapped and the failure is counted like any other.
      return graphs.recordFailure(reply.generation.durationMs, err);
    }
  }

  /**
   * A worker without work lets go of its builds after idleMs: its V8 isolate holds on to the heap a build grew (over
   * 100 MB at upstream scale), which an idle server should not keep. It keeps its thread and compiled code, so the next
   * write is nearly as fast as one in a burst. After releaseMs it also gives back the memory its heap keeps free, and
   * after exitMs it exits (the next request then starts a new one). Each step is itself a request, answered before the
   * next is timed; a step not due before exitMs is skipped.
   */
  private idle(worker: Worker): void {
    worker.unref();
    clearTimeout(this.idleTimer);
    const exitMs = this.options.exitMs ?? DEFAULT_EXIT_MS;
    const steps = [
      { op: 'compact' as const, at: this.options.idleMs ?? DEFAULT_IDLE_MS },
      { op: 'release' as const, at: this.options.releaseMs ?? DEFAULT_RELEASE_MS },
    ].filter((step) => step.at < exitMs);
    const step = steps[this.idleSteps];
    const since = steps[this.idleSteps - 1]?.at ?? 0;
    this.idleTimer = setTimeout(() => {
      if (this.worker !== worker || this.pending.size > 0) return;
      if (step === undefined) {
        this.worker = undefined;
        void worker.terminate();
        return;
      }
      this.idleSteps++;
      void this.call({ op: step.op }).then(({ reply }) => {
        if (reply.ok) this.logIdleStep(step.op, reply.value as Compacted | Released);
      }, () => undefined);
    }, Math.max(0, (step?.at ?? exitMs) - since));
    this.idleTimer.unref();
  }

  private logIdleStep(op: 'compact' | 'release', value: Compacted | Released): void {
    const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
    if (op === 'compact') {
      const compacted = (this.lastCompaction = value as Compacted);
      this.options.logger.info({ heapUsedMb: mb(compacted.usedAfter), releasedMb: mb(compacted.usedBefore - compacted.usedAfter) }, 'graph build worker idle: kept its code, let go of its builds');
      return;
    }
    const released = (this.lastRelease = value as Released);
    this.options.logger.info({ heapUsedMb: mb(released.usedAfter), heapCommittedMb: mb(released.committedAfter), rssMb: mb(released.rssAfter), rssReleasedMb: mb(released.rssBefore - released.rssAfter) },
      'graph build worker still idle: gave back the memory its heap kept free');
  }

  private logRehearsal(rehearsal: Rehearsal): void {
    const fields = { publishes: rehearsal.publishes, durationMs: Math.round(rehearsal.durationMs) };
    // A failed rehearsal costs only speed: the first writes compile what it did not.
    if (rehearsal.error === undefined) this.options.logger.info(fields, 'graph build worker rehearsed publishes (nothing stored)');
    else this.options.logger.warn({ ...fields, error: rehearsal.error }, 'graph build worker could not rehearse publishes; the first ones will be slower');
  }

  private spawn(): Worker {
    const data: BuildWorkerData = {
      storeFile: this.options.storeFile, requireSignatures: this.options.requireSignatures ?? false, noteOffers: this.options.noteOffers ?? false,
      rehearse: this.options.rehearse ?? false,
    };
    const worker = backgroundWorker(WORKER_URL, { workerData: data });
    worker.on('message', (message: BuildReply | WorkerQuiet | WorkerCollected | WorkerRehearsed) => {
      if ('rehearsed' in message) {
        this.logRehearsal((this.lastRehearsal = message.rehearsed));
        return;
      }
      if ('collected' in message) {
        this.collections.push(message.after);
        this.lastCollection = message.collected;
        return;
      }
      if ('quiet' in message) {
        // Idle only once the worker finished what the last request caused (it notes first-served edges after replying).
        // A worker being stopped (close, or replaced) is not made idle: unref'ing it could let the process exit before it has.
        if (this.pending.size === 0 && !this.closed && this.worker === worker) this.idle(worker);
        return;
      }
      const reply = message;
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      // Installed here, before the next request is sent (see call), whoever waits for the answer.
      waiting?.resolve({ reply, installed: this.install(reply) });
    });
    const fail = (err: Error): void => {
      if (this.worker === worker) this.worker = undefined;
      // Only this worker's requests: a worker stopped when idle exits after a new one may have taken work.
      for (const [id, waiting] of this.pending) {
        if (waiting.worker !== worker) continue;
        this.pending.delete(id);
        waiting.reject(new KusError('KUS_ERR_INTERNAL', `the graph build worker stopped: ${err.message}`, {}, { cause: err }));
      }
    };
    worker.on('error', (err) => {
      this.options.logger.error({ err }, 'the graph build worker failed; the next write starts a new one');
      fail(err);
    });
    worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
    return worker;
  }

  /**
   * One request at a time: the next is sent once the previous reply was installed, so that the stamps it carries
   * (what the server holds) are those of the generation the worker's answer will replace.
   */
  private call(request: Request, transfer: ArrayBuffer[] = []): Promise<Done> {
    if (this.closed) return Promise.reject(new KusError('KUS_ERR_INTERNAL', 'the graph build worker is closed'));
    const done = this.queue.then(() => this.send(request, transfer));
    this.queue = done.then(() => undefined, () => undefined);
    return done;
  }

  private send(request: Request, transfer: ArrayBuffer[]): Promise<Done> {
    if (this.closed) return Promise.reject(new KusError('KUS_ERR_INTERNAL', 'the graph build worker is closed'));
    this.worker ??= this.spawn();
    if (request.op !== 'compact' && request.op !== 'release') this.idleSteps = 0;
    const worker = this.worker;
    const id = this.nextId++;
    return new Promise<Done>((resolve, reject) => {
      this.pending.set(id, { worker, resolve, reject });
      // Referenced only while it has work: an idle worker must not keep a stopped server alive, a busy one must.
      clearTimeout(this.idleTimer);
      worker.ref();
      worker.postMessage({ ...request, id, served: this.options.graphs.servedHashes(), digests: this.digests, servedInput: this.served }, transfer);
    });
  }
}
