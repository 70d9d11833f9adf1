// Records graph polls: merged in memory (FleetAggregator, which holds clusters across writes and hands over those that
// are new or changed, and a share of those polled since a write a minute old), written to the store in one transaction
// every flush interval (by a FleetWriter, off the serving thread in `kus serve`), and clusters unseen for longer than
// the retention dropped on a timer.
import type { FleetPollBatchEntry, FleetRepository } from '../../store/index.js';
import { drainedEntries, FleetAggregator, FLEET_LIMITS, FLEET_REFRESH_MS, type FleetPoll } from './aggregator.js';
import { directFleetWriter, type FleetWriter } from './writer.js';

export interface FleetLogger {
  error(obj: object, msg: string): void;
}

export interface FleetRecorderOptions {
  /** Written in-process when no writer is given. */
  repository: FleetRepository;
  /** Where batches go (kus serve: WorkerFleetWriter). */
  writer?: FleetWriter;
  logger: FleetLogger;
  /** Milliseconds between two writes (default 5 s: a poll is in the fleet API within that). */
  flushMs?: number;
  /** Clusters unseen for longer are dropped (default 30 days). */
  retentionMs?: number;
  /** Distinct clusters held in memory (default FLEET_LIMITS.maxClusters). */
  maxClusters?: number;
  /** An unchanged held cluster is written again once it polled since a write this old (default 1 min). */
  refreshMs?: number;
  /** Milliseconds since the epoch; tests inject a clock. */
  now?: () => number;
  /** Also given every drained batch, before it is written (a replica's FleetReporter sends it to the primary). */
  forward?: (batch: readonly FleetPollBatchEntry[]) => void;
}

export const DEFAULT_FLEET_FLUSH_MS = 5_000;
/** Refresh-only writes allowed per flush whatever the share (a few milliseconds of the writer's time). */
const REFRESH_FLOOR = 1_000;
export const DEFAULT_FLEET_RETENTION_MS = 30 * 24 * 3600 * 1000;

export class FleetRecorder {
  private readonly aggregator: FleetAggregator;
  private readonly writer: FleetWriter;
  private readonly now: () => number;
  private flushTimer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  /** The write in progress: writes go one at a time, in order. */
  private writing: Promise<unknown> = Promise.resolve();
  private urgent = false;
  readonly flushMs: number;
  readonly retentionMs: number;
  /** A held cluster is written again once it polled since a write this old (FLEET_REFRESH_MS). */
  readonly refreshMs: number;
  /**
   * How far the stored last poll of a held cluster may lag its last poll: a refresh interval and a flush until it is
   * found due, at most as much again while the refresh quota works through the clusters due before it (refreshQuota).
   */
  readonly maxLagMs: number;
  /** Batches that failed to be written (logged; their clusters wait for the next write, merged with later polls). */
  failedFlushes = 0;
  /** Cluster rows this server's own polls wrote (a cluster polling unchanged: about one a minute). */
  rowsWritten = 0;
  pruned = 0;
  /** Entries of replicas' reports written. */
  merged = 0;

  constructor(private readonly options: FleetRecorderOptions) {
    this.now = options.now ?? Date.now;
    this.writer = options.writer ?? directFleetWriter(options.repository);
    this.flushMs = options.flushMs ?? DEFAULT_FLEET_FLUSH_MS;
    this.retentionMs = options.retentionMs ?? DEFAULT_FLEET_RETENTION_MS;
    this.refreshMs = options.refreshMs ?? FLEET_REFRESH_MS;
    this.maxLagMs = 2 * (this.refreshMs + this.flushMs);
    this.aggregator = new FleetAggregator(options.maxClusters ?? FLEET_LIMITS.maxClusters, () => this.flushSoon(), this.refreshMs);
  }

  get stats() {
    return this.aggregator.stats;
  }

  /** Clusters waiting for the next write. */
  get pending(): number {
    return this.aggregator.pending;
  }

  /** Clusters held in memory, and how many were let go to make room. */
  get held(): { clusters: number; evicted: number } {
    return { clusters: this.aggregator.size, evicted: this.aggregator.evicted };
  }

  /**
   * The last poll of a cluster held in memory (readers take the later of it and the store's: the store's lags it by
   * less than maxLagMs).
   */
  lastSeen(id: string): number | undefined {
    return this.aggregator.lastSeen(id);
  }

  /** Called on the graph answer path: a Map update, nothing else. */
  record(poll: FleetPoll, userAgent: string | undefined): void {
    this.aggregator.record(poll, userAgent, this.now());
  }

  /**
   * Writes the clusters waiting (one transaction), after any write in progress; resolves with how many. A failed write
   * is logged and its clusters wait for the next one, merged with the polls that came meanwhile.
   */
  flush(): Promise<number> {
    const done = this.writing.then(async () => {
      this.aggregator.markDue(this.now());
      if (this.aggregator.pending === 0) return 0;
      const drain = this.aggregator.drain(this.refreshQuota());
      const clusters = drain.entries.length + drain.refreshes.count;
      try {
        // A replica also sends the entries to its primary (which merges a resent one idempotently).
        this.options.forward?.(drainedEntries(drain));
        await this.writer.record(drain.entries, drain.refreshes);
      } catch (err) {
        this.aggregator.restore(drain);
        this.failedFlushes++;
        this.options.logger.error({ err, clusters }, 'could not write fleet polls to the store; they wait for the next write');
        return 0;
      }
      this.aggregator.committed(drain);
      this.rowsWritten += clusters;
      return clusters;
    });
    this.writing = done;
    return done;
  }

  /**
   * Writes entries a replica reported, in turn with this server's own writes; resolves once they are committed (the
   * report is answered only then, so that a primary killed afterwards has them). The store merges idempotently.
   */
  merge(entries: readonly FleetPollBatchEntry[]): Promise<void> {
    const done = this.writing.then(() => this.writer.record(entries));
    this.writing = done.catch(() => undefined);
    return done.then(() => {
      this.merged += entries.length;
    });
  }

  /** Drops clusters unseen for longer than the retention; resolves with how many. */
  prune(): Promise<number> {
    const before = this.now() - this.retentionMs;
    // A held cluster polled since `before` whose row says otherwise is written first, so that it is not dropped.
    this.aggregator.retain(before);
    void this.flush();
    const done = this.writing.then(async () => {
      const removed = await this.writer.prune(before);
      this.pruned += removed;
      return removed;
    });
    this.writing = done.catch(() => undefined);
    return done;
  }

  start(): void {
    this.flushTimer = setInterval(() => void this.flush(), this.flushMs);
    this.flushTimer.unref();
    // Often enough that a cluster outlives the retention by at most a tenth of it (and at most an hour).
    const pruneMs = Math.max(1000, Math.min(3600_000, Math.floor(this.retentionMs / 10)));
    this.pruneTimer = setInterval(() => {
      this.prune().catch((err: unknown) => this.options.logger.error({ err }, 'could not drop expired fleet clusters'));
    }, pruneMs);
    this.pruneTimer.unref();
  }

  /** Stops the timers, writes what is pending, and closes the writer. */
  async stop(): Promise<void> {
    clearInterval(this.flushTimer);
    clearInterval(this.pruneTimer);
    this.flushTimer = undefined;
    this.pruneTimer = undefined;
    // Every held cluster's last poll, not only those due: the store is exact once the server stopped.
    this.aggregator.markAllPolled();
    await this.flush();
    await this.writer.close();
  }

  /**
   * Refresh-only writes per flush: the held clusters' share of one refresh interval, so a backlog of any size clears
   * within one more interval (a stored last poll then lags by less than two), and at least REFRESH_FLOOR.
   */
  private refreshQuota(): number {
    return Math.max(REFRESH_FLOOR, Math.ceil((this.aggregator.size * this.flushMs) / this.refreshMs));
  }

  private flushSoon(): void {
    if (this.urgent) return;
    this.urgent = true;
    setImmediate(() => {
      this.urgent = false;
      void this.flush();
    });
  }
}
