// Records graph polls: merged in memory (FleetAggregator), written to the store in one transaction every flush
// interval, and clusters unseen for longer than the retention dropped on a timer.
import type { FleetRepository } from '../../store/index.js';
import { FleetAggregator, FLEET_LIMITS, type FleetPoll } from './aggregator.js';

export interface FleetLogger {
  error(obj: object, msg: string): void;
}

export interface FleetRecorderOptions {
  repository: FleetRepository;
  logger: FleetLogger;
  /** Milliseconds between two writes (default 5 s: a poll is in the fleet API within that). */
  flushMs?: number;
  /** Clusters unseen for longer are dropped (default 30 days). */
  retentionMs?: number;
  /** Distinct clusters held between two writes. */
  maxClusters?: number;
  /** Milliseconds since the epoch; tests inject a clock. */
  now?: () => number;
}

export const DEFAULT_FLEET_FLUSH_MS = 5_000;
export const DEFAULT_FLEET_RETENTION_MS = 30 * 24 * 3600 * 1000;

export class FleetRecorder {
  private readonly aggregator: FleetAggregator;
  private readonly now: () => number;
  private flushTimer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private urgent = false;
  readonly flushMs: number;
  readonly retentionMs: number;
  /** Batches that failed to be written (logged; their polls are lost, the next batch is tried afresh). */
  failedFlushes = 0;
  pruned = 0;

  constructor(private readonly options: FleetRecorderOptions) {
    this.now = options.now ?? Date.now;
    this.flushMs = options.flushMs ?? DEFAULT_FLEET_FLUSH_MS;
    this.retentionMs = options.retentionMs ?? DEFAULT_FLEET_RETENTION_MS;
    this.aggregator = new FleetAggregator(options.maxClusters ?? FLEET_LIMITS.maxClusters, () => this.flushSoon());
  }

  get stats() {
    return this.aggregator.stats;
  }

  /** Clusters waiting for the next write. */
  get pending(): number {
    return this.aggregator.size;
  }

  /** Called on the graph answer path: a Map update, nothing else. */
  record(poll: FleetPoll, userAgent: string | undefined): void {
    this.aggregator.record(poll, userAgent, this.now());
  }

  /** Writes what was merged so far (one transaction); returns how many clusters were written. */
  flush(): number {
    const batch = this.aggregator.drain();
    if (batch.length === 0) return 0;
    try {
      this.options.repository.record(batch);
    } catch (err) {
      this.failedFlushes++;
      this.options.logger.error({ err, clusters: batch.length }, 'could not write fleet polls to the store');
      return 0;
    }
    return batch.length;
  }

  /** Drops clusters unseen for longer than the retention; returns how many. */
  prune(): number {
    const removed = this.options.repository.prune(this.now() - this.retentionMs);
    this.pruned += removed;
    return removed;
  }

  start(): void {
    this.flushTimer = setInterval(() => this.flush(), this.flushMs);
    this.flushTimer.unref();
    // Often enough that a cluster outlives the retention by at most a tenth of it (and at most an hour).
    const pruneMs = Math.max(1000, Math.min(3600_000, Math.floor(this.retentionMs / 10)));
    this.pruneTimer = setInterval(() => {
      try {
        this.prune();
      } catch (err) {
        this.options.logger.error({ err }, 'could not drop expired fleet clusters');
      }
    }, pruneMs);
    this.pruneTimer.unref();
  }

  /** Stops the timers and writes what is pending. */
  stop(): void {
    clearInterval(this.flushTimer);
    clearInterval(this.pruneTimer);
    this.flushTimer = undefined;
    this.pruneTimer = undefined;
    this.flush();
  }

  private flushSoon(): void {
    if (this.urgent) return;
    this.urgent = true;
    setImmediate(() => {
      this.urgent = false;
      this.flush();
    });
  }
}
