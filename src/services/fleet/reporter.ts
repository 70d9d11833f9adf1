// A replica's fleet reports: every batch its recorder writes is also sent to the primary (POST
// /api/admin/v1/fleet/reports, with a fleet-report token). Delivery is at least once: entries leave the buffer only
// when the primary answered 200, which it does once they are committed to its store; a failed request puts them back
// and is retried with exponential backoff. The primary merges idempotently, so a resent entry changes nothing.
//
// While the primary is away the buffer merges per cluster (report-merge.ts): its size is the number of distinct
// clusters that polled meanwhile, whatever the outage's length. It holds at most `maxClusters` clusters (in flight
// included); an entry of a further cluster is dropped, counted (kus_fleet_report_dropped_total{reason="buffer_full"})
// and logged once per overflow. The buffer lives in memory: a replica restart loses what it holds.
import { hostname } from 'node:os';
import { KusError, quote } from '../../errors/index.js';
import type { FleetPollBatchEntry } from '../../store/index.js';
import type { ServiceLogger } from '../logger.js';
import { upstreamPostJson, upstreamTransport } from '../upstream-http.js';
import { mergeFleetEntries } from './report-merge.js';

/** Path of the primary's report route (server/routes/admin/fleet-report.ts). */
export const FLEET_REPORTS_PATH = '/api/admin/v1/fleet/reports';
/** Entries per request; the route accepts at most this many (its body stays a few MiB at worst). */
export const FLEET_REPORT_CHUNK = 1000;
export const DEFAULT_FLEET_REPORT_BUFFER = 100_000;
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 60_000;
/** How long a stopping replica tries to hand over what it still holds. */
const STOP_DEADLINE_MS = 5000;

export interface FleetReporterOptions {
  /** The primary's base URL (--follow). */
  primary: string;
  /** A token of scope fleet-report on the primary. */
  token: string;
  caFile?: string | null | undefined;
  /** Distinct clusters the buffer holds (default 100,000). */
  maxClusters?: number | undefined;
  /** How this replica names itself in its reports (default: the host name). */
  replica?: string | undefined;
  logger: ServiceLogger;
  /** First retry delay, doubled per failure up to a minute; tests shorten it. */
  retryMinMs?: number | undefined;
}

export interface FleetReporterStats {
  /** Entries the primary accepted. */
  sent: number;
  requests: { ok: number; failed: number; rejected: number };
  dropped: { bufferFull: number; rejected: number };
}

export class FleetReporter {
  private buffer = new Map<string, FleetPollBatchEntry>();
  private inFlight = 0;
  private sending: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private delayMs: number;
  private stopped = false;
  private overflowing = false;
  private outage: { since: number; error: string } | undefined;
  private readonly url: URL;
  private readonly transport;
  private readonly maxClusters: number;
  private readonly replica: string;
  readonly stats: FleetReporterStats = { sent: 0, requests: { ok: 0, failed: 0, rejected: 0 }, dropped: { bufferFull: 0, rejected: 0 } };

  constructor(private readonly options: FleetReporterOptions) {
    this.url = new URL(`${options.primary}${FLEET_REPORTS_PATH}`);
    this.transport = upstreamTransport({ caFile: options.caFile ?? undefined, timeoutMs: 30_000 });
    this.maxClusters = options.maxClusters ?? DEFAULT_FLEET_REPORT_BUFFER;
    this.replica = options.replica ?? hostname();
    this.delayMs = options.retryMinMs ?? RETRY_MIN_MS;
  }

  /** Entries waiting to be delivered, those in flight included. */
  get buffered(): number {
    return this.buffer.size + this.inFlight;
  }

  get limit(): number {
    return this.maxClusters;
  }

  /** Takes a batch the recorder drained (merging it per cluster) and sends it unless a retry is pending. */
  enqueue(batch: readonly FleetPollBatchEntry[]): void {
    for (const entry of batch) this.add(entry);
    this.kick();
  }

  /** Stops retrying; tries once more (for at most a few seconds in all) to hand over what is buffered. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const attempt = (async () => {
      await this.sending;
      if (this.buffer.size > 0) await this.drain();
    })();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([attempt, new Promise((resolve) => (timer = setTimeout(resolve, STOP_DEADLINE_MS)))]);
    clearTimeout(timer);
    if (this.buffered > 0) {
      this.options.logger.warn({ primary: this.options.primary, clusters: this.buffered }, 'stopping with fleet reports the primary has not accepted; they are lost');
    }
  }

  private add(entry: FleetPollBatchEntry): void {
    const held = this.buffer.get(entry.id);
    if (held) {
      this.buffer.set(entry.id, mergeFleetEntries(held, entry));
      return;
    }
    if (this.buffered >= this.maxClusters) {
      this.stats.dropped.bufferFull++;
      if (!this.overflowing) {
        this.overflowing = true;
        this.options.logger.warn({ primary: this.options.primary, limit: this.maxClusters },
          'the fleet report buffer is full (the primary does not accept reports); polls of further clusters are dropped (kus_fleet_report_dropped_total) until it drains');
      }
      return;
    }
    this.buffer.set(entry.id, entry);
  }

  private kick(): void {
    if (this.sending || this.retryTimer || this.stopped || this.buffer.size === 0) return;
    this.sending = this.drain().finally(() => {
      this.sending = undefined;
      // Entries that arrived as the last request ended.
      this.kick();
    });
  }

  /** Sends chunk after chunk until the buffer is empty or a request fails (then a retry is scheduled). */
  private async drain(): Promise<void> {
    while (this.buffer.size > 0) {
      const chunk: FleetPollBatchEntry[] = [];
      for (const [id, entry] of this.buffer) {
        chunk.push(entry);
        this.buffer.delete(id);
        if (chunk.length === FLEET_REPORT_CHUNK) break;
      }
      this.inFlight += chunk.length;
      let outcome: 'ok' | 'rejected' | KusError;
      try {
        outcome = await this.post(chunk);
      } catch (err) {
        outcome = err instanceof KusError ? err : new KusError('KUS_ERR_UPSTREAM', (err as Error).message);
      }
      this.inFlight -= chunk.length;
      if (outcome === 'ok' || outcome === 'rejected') {
        this.recovered();
        continue;
      }
      // Put back (merged with what arrived meanwhile; their slots were kept, so nothing is dropped here).
      for (const entry of chunk) {
        const held = this.buffer.get(entry.id);
        this.buffer.set(entry.id, held ? mergeFleetEntries(entry, held) : entry);
      }
      this.failed(outcome);
      return;
    }
    if (this.overflowing) {
      this.overflowing = false;
      this.options.logger.info({ primary: this.options.primary, dropped: this.stats.dropped.bufferFull }, 'the fleet report buffer drained; recording every cluster again');
    }
  }

  private async post(chunk: FleetPollBatchEntry[]): Promise<'ok' | 'rejected'> {
    const answer = await upstreamPostJson(this.transport, this.url, { authorization: `Bearer ${this.options.token}`, accept: 'application/json' },
      { replica: this.replica, entries: chunk }, 64 * 1024);
    if (answer.status === 200) {
      this.stats.requests.ok++;
      this.stats.sent += chunk.length;
      return 'ok';
    }
    const text = answer.body.toString('utf8').slice(0, 500);
    // A refused body would be refused again: dropping it keeps the rest flowing (logged, counted).
    if (answer.status === 400 || answer.status === 413) {
      this.stats.requests.rejected++;
      this.stats.dropped.rejected += chunk.length;
      this.options.logger.error({ primary: this.options.primary, status: answer.status, clusters: chunk.length, answer: text },
        'the primary refused a fleet report as invalid; its entries are dropped');
      return 'rejected';
    }
    throw new KusError('KUS_ERR_UPSTREAM', `${quote(this.url.href)} answered ${answer.status}: ${text}`, { url: this.url.href, status: answer.status });
  }

  private failed(err: KusError): void {
    this.stats.requests.failed++;
    if (!this.outage) {
      this.outage = { since: Date.now(), error: err.message };
      // One line per outage (and one when it ends); the failures are counted in /metrics.
      this.options.logger.warn({ primary: this.options.primary, error: err.message, buffered: this.buffered, limit: this.maxClusters },
        'could not send fleet reports to the primary; buffering and retrying with backoff');
    }
    if (this.stopped) return;
    const jitter = Math.floor(Math.random() * (this.delayMs / 4));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.kick();
    }, this.delayMs + jitter);
    this.retryTimer.unref();
    this.delayMs = Math.min(RETRY_MAX_MS, this.delayMs * 2);
  }

  private recovered(): void {
    this.delayMs = this.options.retryMinMs ?? RETRY_MIN_MS;
    if (!this.outage) return;
    this.options.logger.info({ primary: this.options.primary, outageSeconds: Math.round((Date.now() - this.outage.since) / 1000), failedRequests: this.stats.requests.failed },
      'fleet reports reach the primary again');
    this.outage = undefined;
  }
}
