// Replica mode (`kus serve --follow URL`): poll the primary's graph-data tarball with If-None-Match, check a new one
// (strict graph-data read, trial build, signature format and claims), swap it into the local store in one transaction
// and rebuild. Any failure keeps the last good snapshot served; it is logged, counted and retried next interval.
import { gunzipSync } from 'node:zlib';
import type { ServiceLogger } from './logger.js';
import { isKusError, KusError, quote } from '../errors/index.js';
import type { BuildResult } from '../graph/index.js';
import { trialBuild, type ReleasesInput } from './trial-build.js';
import { formatProblems, type Problem, type YamlMemo } from '../graph-data/index.js';
import type { Store } from '../store/index.js';
import { readTar } from '../tar/index.js';
import { readPrimaryKeys } from './follow-keys.js';
import type { SignatureCheckMemo } from './signature-check-memo.js';
import { readSignaturesForImport } from './signature-files.js';
import { withUnpackedGraphData } from './unpacked-graph-data.js';
import { upstreamGet, upstreamTransport } from './upstream-http.js';

/** Path of the tarball on the primary (server/routes/public/graph-data.ts serves it). */
export const GRAPH_DATA_URL_PATH = '/api/upgrades_info/graph-data';
/** A compressed graph-data tree of 3000 releases is ~1 MB; these bound what a broken primary can make us hold. */
const MAX_ARCHIVE_BYTES = 128 * 1024 * 1024;
const MAX_TAR_BYTES = 512 * 1024 * 1024;
/** What a replica asks a primary to hold a poll for, at most (the primary caps it too: routes/public/graph-data.ts). */
const MAX_LONG_POLL_SECONDS = 60;

export interface FollowStats {
  primary: string;
  /** Syncs that succeeded: a new snapshot swapped in, or 304 (unchanged). */
  updates: number;
  unchanged: number;
  failures: number;
  consecutiveFailures: number;
  lastSuccessAt: Date | null;
  lastError: string | null;
  /** Seconds since the last successful sync (since the start before the first one). */
  lagSeconds: number;
}

export type SyncResult = 'updated' | 'unchanged';

/**
 * What a sync made in a build worker did: the graph-data files it parsed and the signatures it verified (the others the
 * worker had parsed or verified at the last sync: the YAML and signature memos).
 */
export interface SyncStats {
  parsedFiles: number;
  verifiedSignatures: number;
}

export interface FollowDeps {
  store: Store;
  /** Rebuilds the served graph after a swap (GraphCache.rebuild). Used when `swap` is not given. */
  rebuild?: () => { ok: boolean; error?: unknown };
  /**
   * Checks, stores and serves a snapshot somewhere else (the build worker, services/graph-builder.ts), so that neither
   * reading its graph-data nor building it runs on the thread that answers clusters. Default: storeSnapshot + rebuild
   * on this thread.
   */
  swap?: (gzip: Buffer, source: string) => Promise<SyncStats | undefined>;
  primary: string;
  intervalSeconds: number;
  caFile?: string | null;
  logger: ServiceLogger;
  now?: () => Date;
}

export class Follower {
  private readonly deps: FollowDeps;
  private readonly now: () => Date;
  private readonly url: URL;
  private readonly startedAt: Date;
  private etag: string | undefined;
  /** Poll again at once rather than after the interval: the primary held the last poll, or a new snapshot came in. */
  private pollAtOnce = false;
  private poll: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;
  private readonly counts = { updates: 0, unchanged: 0, failures: 0, consecutiveFailures: 0 };
  private lastSuccessAt: Date | null = null;
  private lastError: string | null = null;
  private outageStartedAt: Date | null = null;
  /** What the last sync parsed and verified in the build worker; unknown when it ran on this thread. */
  private syncStats: SyncStats | undefined;

  constructor(deps: FollowDeps) {
    this.deps = deps;
    this.now = deps.now ?? (() => new Date());
    this.url = new URL(`${deps.primary}${GRAPH_DATA_URL_PATH}`);
    this.startedAt = this.now();
  }

  get primary(): string {
    return this.deps.primary;
  }

  /**
   * Syncs at once, then again: at once after a long poll the primary held (it answers as soon as its graph-data
   * changes), else after the interval (measured from the end of a sync, so syncs never overlap).
   */
  start(): void {
    const loop = (): void => {
      this.running = this.syncQuietly().finally(() => {
        this.running = undefined;
        if (!this.stopped) this.timer = setTimeout(loop, this.pollAtOnce ? 0 : this.deps.intervalSeconds * 1000);
      });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.poll?.abort();
    await this.running;
  }

  /**
   * One sync; throws (KusError) when the primary cannot be read or sends something unusable. Once it holds a
   * snapshot it asks the primary to hold the answer until the graph-data changes (`Prefer: wait=N`, N the interval
   * up to the primary's cap); a primary that does not (an older KUS) answers at once and is polled on the interval.
   */
  async sync(): Promise<SyncResult> {
    const wait = Math.max(1, Math.min(this.deps.intervalSeconds, MAX_LONG_POLL_SECONDS));
    // An idle timeout: a primary sends nothing while it holds the poll, nor while its build worker (at low priority,
    // behind its writes) makes the archive, which on a busy primary at upstream scale takes seconds.
    const transport = upstreamTransport({ caFile: this.deps.caFile ?? undefined, timeoutMs: 60_000 + wait * 1000 });
    const headers: Record<string, string> = { accept: 'application/gzip' };
    if (this.etag !== undefined) {
      headers['if-none-match'] = this.etag;
      headers.prefer = `wait=${wait}`;
    }
    this.pollAtOnce = false;
    const poll = new AbortController();
    this.poll = poll;
    let answer;
    try {
      answer = await upstreamGet(transport, this.url, headers, (s) => s === 200 || s === 304, MAX_ARCHIVE_BYTES, poll.signal);
    } finally {
      if (this.poll === poll) this.poll = undefined;
    }
    const applied = answer.headers['preference-applied'];
    this.pollAtOnce = typeof applied === 'string' && /(^|,)\s*wait\s*=/i.test(applied);
    if (answer.status === 304) return 'unchanged';
    const etag = typeof answer.headers.etag === 'string' ? answer.headers.etag : undefined;
    this.syncStats = await this.swapIn(answer.body);
    this.etag = etag;
    // With an ETag to wait on, the next poll goes out at once as a long poll (a primary that ignores it answers 304 at
    // once, and the interval applies from then on).
    if (etag !== undefined) this.pollAtOnce = true;
    return 'updated';
  }

  private async syncQuietly(): Promise<void> {
    try {
      const result = await this.sync();
      const failed = this.counts.consecutiveFailures;
      if (failed > 0) {
        const since = this.outageStartedAt ?? this.now();
        const outageSeconds = Math.round((this.now().getTime() - since.getTime()) / 1000);
        this.deps.logger.info({ primary: this.deps.primary, failedSyncs: failed, outageSeconds }, 'sync with the primary works again');
      }
      this.lastSuccessAt = this.now();
      this.counts.consecutiveFailures = 0;
      this.outageStartedAt = null;
      this.lastError = null;
      if (result === 'updated') {
        this.counts.updates++;
        this.deps.logger.info({ primary: this.deps.primary, etag: this.etag, ...this.syncStats }, 'swapped in the primary\'s graph-data');
      } else {
        this.counts.unchanged++;
      }
    } catch (err) {
      if (this.stopped) return; // the poll was abandoned by stop(): not a failure of the primary
      this.counts.failures++;
      this.counts.consecutiveFailures++;
      this.lastError = err instanceof Error ? err.message : String(err);
      // Not fatal: the last good snapshot keeps being served; the next interval tries again. One line per outage
      // (and one when it ends), without a stack: an unreachable primary is an outage, not a bug, and a line every
      // interval would bury everything else. The failure count is in /metrics.
      if (this.counts.consecutiveFailures === 1) {
        this.outageStartedAt = this.now();
        const code = isKusError(err) ? err.code : undefined;
        this.deps.logger.warn({ primary: this.deps.primary, error: this.lastError, ...(code ? { code } : {}), retryEverySeconds: this.deps.intervalSeconds },
          'sync with the primary failed; serving the last good snapshot until it works again');
      }
    }
  }

  private async swapIn(gzip: Buffer): Promise<SyncStats | undefined> {
    const source = this.url.href;
    if (this.deps.swap) return this.deps.swap(gzip, source);
    await storeSnapshot(this.deps.store, gzip, source, this.now());
    const rebuilt = this.deps.rebuild?.() ?? { ok: true };
    if (!rebuilt.ok) throw new KusError('KUS_ERR_INTERNAL', `the snapshot from ${quote(source)} was stored, but the rebuild failed: ${String(rebuilt.error)}`);
  }

  stats(): FollowStats {
    const since = this.lastSuccessAt ?? this.startedAt;
    return {
      primary: this.deps.primary,
      ...this.counts,
      lastSuccessAt: this.lastSuccessAt,
      lastError: this.lastError,
      lagSeconds: Math.max(0, (this.now().getTime() - since.getTime()) / 1000),
    };
  }
}

/** What one sync keeps for the next: the YAML it parsed and the signatures it verified. */
export interface SnapshotMemos {
  yaml?: YamlMemo;
  signatures?: SignatureCheckMemo;
}

/**
 * Checks a primary's graph-data archive completely before anything is written (strict read, build, signatures), then
 * swaps it into the store in one transaction. Returns the build, which is the graph to serve.
 */
export async function storeSnapshot(
  store: Store, gzip: Buffer, source: string, now: Date, memos: SnapshotMemos = {}, build?: (input: ReleasesInput) => BuildResult,
): Promise<BuildResult> {
  let tar: Buffer;
  try {
    tar = gunzipSync(gzip, { maxOutputLength: MAX_TAR_BYTES });
  } catch (err) {
    throw new KusError('KUS_ERR_GRAPH_DATA', `${quote(source)} did not send a gzip archive: ${(err as Error).message}`, { source }, { cause: err });
  }
  const { files, directories } = await readTar(tar, source);
  const refuse = (errors: Problem[]): KusError =>
    new KusError('KUS_ERR_GRAPH_DATA', `the graph-data from ${quote(source)} is invalid (${errors.length} errors); keeping the last good snapshot\n${formatProblems(errors)}`, { source });
  return withUnpackedGraphData({ files, directories, source, ...(memos.yaml ? { memo: memos.yaml } : {}) }, refuse, async ({ signatures: tree, input }) => {
    const built = trialBuild(input, source, undefined, build); // throws on what would abort a rebuild (cycle, conflicting digests, schema)
    const keys = await readPrimaryKeys(tree, source, now);
    const signatures = await readSignaturesForImport(store, tree, now, keys, memos.signatures);
    store.replaceSnapshot(input, signatures?.signatures ?? [], keys);
    return built;
  });
}
