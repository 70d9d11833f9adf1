// Where the recorder's batches go. In `kus serve` a worker thread with its own SQLite connection writes them: writing
// 100,000 clusters in one transaction takes over a second (measured 1.2–1.9 s here), which on the serving thread
// would stall every graph request for as long. The batch is handed over as JSON text in chunks between requests, and
// committed by the worker in one transaction. Tests and the CLI write in-process.
import type { Worker } from 'node:worker_threads';
import { KusError } from '../../errors/index.js';
import { encodeFleetBatch, type FleetPollBatchEntry, type FleetRepository } from '../../store/index.js';
import { backgroundWorker } from '../thread-priority.js';
import { refreshRows, type FleetRefreshColumns } from './refresh-columns.js';

export interface FleetWriter {
  /** Writes the batch, and the clusters that only polled again, in one transaction. */
  record(batch: readonly FleetPollBatchEntry[], refreshes?: FleetRefreshColumns): Promise<void>;
  /** Drops clusters last seen before `before` (ms); resolves with how many. */
  prune(before: number): Promise<number>;
  close(): Promise<void>;
}

export function directFleetWriter(repository: FleetRepository): FleetWriter {
  return {
    record: async (batch, refreshes) => repository.recordEncoded([encodeFleetBatch(batch)], refreshes === undefined ? [] : refreshRows(refreshes)),
    prune: async (before) => repository.prune(before),
    close: async () => undefined,
  };
}

/**
 * Clusters per message: a chunk is encoded into one JSON text (about 1 ms for 2,000 here) and copied to the worker as
 * bytes, so graph requests wait at most that long between two chunks.
 */
export const FLEET_WRITE_CHUNK = 2000;
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './writer-worker.ts' : './writer-worker.js', import.meta.url);

export type WriterRequest =
  | { op: 'chunk'; json: string }
  /** Copied by the structured clone as a few typed arrays (a memcpy), whatever the number of clusters. */
  | { op: 'refreshes'; columns: FleetRefreshColumns }
  | { op: 'commit'; id: number }
  | { op: 'prune'; id: number; before: number };
export type WriterReply = { id: number; ok: true; value: number } | { id: number; ok: false; message: string };

/** How long the writer's thread lives without a write (default); the next write starts it again. */
export const FLEET_WRITER_IDLE_MS = 60_000;

/**
 * The writer's thread starts with the first write and exits once it has had none for `idleMs`. A thread that lived
 * for the server's life cost RSS whether or not a cluster polled: ~7 MB measured on a server receiving no polls (the
 * generated store, settled: 152 MB with it, 145 MB without), which a primary whose clusters poll its replicas, or a
 * server under graph load without cluster ids, paid for nothing. Starting one costs ~155 ms of CPU (its isolate, the
 * store modules and the connection), once per idle period.
 */
export class WorkerFleetWriter implements FleetWriter {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, { resolve: (n: number) => void; reject: (err: Error) => void }>();
  private next = 1;
  private failure: Error | undefined;
  /** Batches being handed over: their chunks are in the thread, their commit not asked yet. */
  private recording = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  /** Threads started so far (tests read it). */
  started = 0;

  constructor(
    private readonly storeFile: string,
    private readonly idleMs: number = FLEET_WRITER_IDLE_MS,
  ) {}

  /** Whether the thread is running now. */
  get running(): boolean {
    return this.worker !== undefined;
  }

  async record(batch: readonly FleetPollBatchEntry[], refreshes?: FleetRefreshColumns): Promise<void> {
    this.recording++;
    try {
      // Chunks encoded lazily, one by one: between two, the event loop answers the graph requests that arrived meanwhile.
      for (let i = 0; i < batch.length; i += FLEET_WRITE_CHUNK) {
        if (i > 0) await new Promise((resolve) => setImmediate(resolve));
        this.send({ op: 'chunk', json: encodeFleetBatch(batch.slice(i, i + FLEET_WRITE_CHUNK)) });
      }
      if (refreshes !== undefined && refreshes.count > 0) this.send({ op: 'refreshes', columns: refreshes });
      await this.ask((id) => ({ op: 'commit', id }));
    } finally {
      this.recording--;
      this.idleSoon();
    }
  }

  prune(before: number): Promise<number> {
    return this.ask((id) => ({ op: 'prune', id, before }));
  }

  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    await this.retire();
  }

  /** The running thread, started if there is none. */
  private thread(): Worker {
    if (this.worker !== undefined) return this.worker;
    const worker = backgroundWorker(WORKER_URL, { workerData: { storeFile: this.storeFile } });
    this.worker = worker;
    this.started++;
    worker.unref();
    worker.on('message', (reply: WriterReply) => {
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if (reply.ok) waiting?.resolve(reply.value);
      else waiting?.reject(new KusError('KUS_ERR_STORE', `the fleet writer could not write: ${reply.message}`));
      this.idleSoon();
    });
    const fail = (err: Error): void => {
      // A thread let go of when idle ends with nothing pending: only the running thread's end is a failure.
      if (worker !== this.worker) return;
      this.failure = err;
      for (const waiting of this.pending.values()) waiting.reject(err);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new KusError('KUS_ERR_INTERNAL', `the fleet writer stopped (exit code ${code})`)));
    return worker;
  }

  /** Once nothing is pending or being handed over, the thread exits after idleMs unless a write comes first. */
  private idleSoon(): void {
    clearTimeout(this.idleTimer);
    if (this.worker === undefined || this.pending.size > 0 || this.recording > 0) return;
    this.idleTimer = setTimeout(() => {
      if (this.pending.size === 0 && this.recording === 0) void this.retire();
    }, this.idleMs);
    this.idleTimer.unref();
  }

  private async retire(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker !== undefined) await worker.terminate();
  }

  /** Posts to the running thread (started if need be) and returns it. */
  private send(request: WriterRequest): Worker {
    if (this.failure) throw this.failure;
    clearTimeout(this.idleTimer);
    const worker = this.thread();
    worker.postMessage(request);
    return worker;
  }

  private ask(request: (id: number) => WriterRequest): Promise<number> {
    const id = this.next++;
    return new Promise<number>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      try {
        // Held while an answer is awaited, so that the last write at shutdown is not cut short by the process exiting.
        this.send(request(id)).ref();
      } catch (err) {
        this.pending.delete(id);
        reject(err as Error);
      }
    });
  }
}
