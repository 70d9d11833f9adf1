// Where the recorder's batches go. In `kus serve` a worker thread with its own SQLite connection writes them: writing
// 100,000 clusters in one transaction takes over a second (measured 1.2–1.9 s here), which on the serving thread
// would stall every graph request for as long. The batch is handed over as JSON text in chunks between requests, and
// committed by the worker in one transaction. Tests and the CLI write in-process.
import { Worker } from 'node:worker_threads';
import { KusError } from '../../errors/index.js';
import { encodeFleetBatch, type FleetPollBatchEntry, type FleetRepository } from '../../store/index.js';
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

export class WorkerFleetWriter implements FleetWriter {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (n: number) => void; reject: (err: Error) => void }>();
  private next = 1;
  private failure: Error | undefined;

  constructor(storeFile: string) {
    this.worker = new Worker(WORKER_URL, { workerData: { storeFile } });
    this.worker.unref();
    this.worker.on('message', (reply: WriterReply) => {
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.worker.unref();
      if (reply.ok) waiting?.resolve(reply.value);
      else waiting?.reject(new KusError('KUS_ERR_STORE', `the fleet writer could not write: ${reply.message}`));
    });
    const fail = (err: Error): void => {
      this.failure = err;
      for (const waiting of this.pending.values()) waiting.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new KusError('KUS_ERR_INTERNAL', `the fleet writer stopped (exit code ${code})`)));
  }

  async record(batch: readonly FleetPollBatchEntry[], refreshes?: FleetRefreshColumns): Promise<void> {
    // Chunks encoded lazily, one by one: between two, the event loop answers the graph requests that arrived meanwhile.
    for (let i = 0; i < batch.length; i += FLEET_WRITE_CHUNK) {
      if (i > 0) await new Promise((resolve) => setImmediate(resolve));
      this.send({ op: 'chunk', json: encodeFleetBatch(batch.slice(i, i + FLEET_WRITE_CHUNK)) });
    }
    if (refreshes !== undefined && refreshes.count > 0) this.send({ op: 'refreshes', columns: refreshes });
    await this.ask((id) => ({ op: 'commit', id }));
  }

  prune(before: number): Promise<number> {
    return this.ask((id) => ({ op: 'prune', id, before }));
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private send(request: WriterRequest): void {
    if (this.failure) throw this.failure;
    this.worker.postMessage(request);
  }

  private ask(request: (id: number) => WriterRequest): Promise<number> {
    const id = this.next++;
    return new Promise<number>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Held while an answer is awaited, so that the last write at shutdown is not cut short by the process exiting.
      this.worker.ref();
      try {
        this.send(request(id));
      } catch (err) {
        this.pending.delete(id);
        reject(err as Error);
      }
    });
  }
}
