// Watch mode: scrape repositories' tags every interval and ingest new release images; junk tags are skipped, never fatal.
import { isKusError } from '../errors/index.js';
import type { ServiceLogger } from './logger.js';
import { payloadDigest } from '../graph/index.js';
import { parseRepository, repositoryName, resolveWith, type Repository } from '../registry/index.js';
import type { Ingest } from './ingest.js';
import type { Actor, PublisherApi } from './publisher.js';

export type SkipReason = 'signature' | 'not-a-release' | 'refused';

export interface RepositoryStats {
  repository: string;
  /** Scrapes finished, failed ones included. */
  scrapes: number;
  /** Scrapes that failed (tag list unreadable, or some tag could not be read). */
  failures: number;
  /** Failures since the last success; the next scrape waits interval × 2^n (capped). */
  consecutiveFailures: number;
  lastSuccessAt: Date | null;
  /** Releases this watcher added to the store (already stored ones not counted). */
  ingested: number;
  /** Tags skipped, by reason, counted once per tag and digest. */
  skipped: Record<SkipReason, number>;
}

export interface WatchDeps {
  ingest: Ingest;
  publisher: PublisherApi;
  logger: ServiceLogger;
  repositories: readonly string[];
  intervalSeconds: number;
  /** Who the audit log names for watch writes; default `watch`. */
  actor?: Actor;
}

/** What a tag's digest turned out to be: images are immutable, so each is read once. */
type Verdict = { kind: 'release'; version: string } | { kind: 'skipped'; reason: SkipReason; why: string };

/** cosign's signature, attestation and SBOM tags (`sha256-<hex>.sig`): never release images. */
const COSIGN_TAG = /^sha256-[a-f0-9]{64}\.(?:sig|att|sbom)$/;
const MAX_BACKOFF_SECONDS = 3600;

class RepositoryWatch {
  readonly stats: RepositoryStats;
  readonly verdicts = new Map<string, Verdict>();
  /** Tags whose skip was logged, so that a junk tag is logged once, not every interval. */
  readonly logged = new Set<string>();
  timer: NodeJS.Timeout | undefined;
  running: Promise<void> | undefined;

  constructor(readonly repo: Repository) {
    this.stats = {
      repository: repositoryName(repo),
      scrapes: 0,
      failures: 0,
      consecutiveFailures: 0,
      lastSuccessAt: null,
      ingested: 0,
      skipped: { signature: 0, 'not-a-release': 0, refused: 0 },
    };
  }
}

export class Watcher {
  private readonly deps: WatchDeps;
  private readonly actor: Actor;
  private readonly watches: RepositoryWatch[];
  private stopped = true;

  /** Throws KUS_ERR_INVALID_PULL_SPEC for a repository that is not `registry[:port]/repository`. */
  constructor(deps: WatchDeps) {
    this.deps = deps;
    this.actor = deps.actor ?? { name: 'watch' };
    this.watches = deps.repositories.map((r) => new RepositoryWatch(parseRepository(r)));
  }

  stats(): RepositoryStats[] {
    return this.watches.map((w) => ({ ...w.stats, skipped: { ...w.stats.skipped } }));
  }

  /** Starts scraping every repository now, then every interval. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    for (const w of this.watches) {
      // Releases already stored from this repository need no download after a restart.
      const prefix = `${w.stats.repository}@`;
      for (const r of this.deps.publisher.listReleases()) {
        const digest = payloadDigest(r.payload);
        if (digest && r.payload.startsWith(prefix)) w.verdicts.set(digest, { kind: 'release', version: r.version });
      }
      this.schedule(w, 0);
    }
  }

  /** Stops the timers and waits for running scrapes. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.watches) clearTimeout(w.timer);
    await Promise.all(this.watches.map((w) => w.running));
  }

  private schedule(w: RepositoryWatch, delayMs: number): void {
    w.timer = setTimeout(() => {
      w.running = this.scrape(w).finally(() => {
        w.running = undefined;
        if (!this.stopped) this.schedule(w, this.delayMs(w));
      });
    }, delayMs);
    // A pending scrape must not keep a stopping process alive.
    w.timer.unref();
  }

  private delayMs(w: RepositoryWatch): number {
    return this.delaySeconds(w.stats.consecutiveFailures) * 1000;
  }

  /** The interval, doubled per consecutive failure, capped at an hour (or the interval, when that is longer). */
  private delaySeconds(failures: number): number {
    const interval = this.deps.intervalSeconds;
    return failures === 0 ? interval : Math.min(interval * 2 ** failures, Math.max(interval, MAX_BACKOFF_SECONDS));
  }

  /** One scrape of one repository; never throws (every failure is logged and counted). */
  private async scrape(w: RepositoryWatch): Promise<void> {
    const { logger } = this.deps;
    const client = this.deps.ingest.client;
    const repository = w.stats.repository;
    let failed = false;
    let tags: string[] = [];
    try {
      tags = (await client.listTags(w.repo)).sort();
    } catch (err) {
      failed = true;
      logger.error({ repository, err: describe(err), retryInSeconds: this.delaySeconds(w.stats.consecutiveFailures + 1) }, 'watch: cannot list the tags');
    }
    for (const tag of tags) {
      if (this.stopped) break;
      if (!(await this.visitTag(w, tag))) failed = true;
    }
    w.stats.scrapes++;
    if (failed) {
      w.stats.failures++;
      w.stats.consecutiveFailures++;
    } else {
      w.stats.consecutiveFailures = 0;
      w.stats.lastSuccessAt = new Date();
    }
  }

  /** Reads one tag; false when it could not be read (a transient failure, retried next scrape). */
  private async visitTag(w: RepositoryWatch, tag: string): Promise<boolean> {
    const { logger } = this.deps;
    const client = this.deps.ingest.client;
    const repository = w.stats.repository;
    if (COSIGN_TAG.test(tag)) {
      this.skip(w, tag, `sig:${tag}`, { kind: 'skipped', reason: 'signature', why: 'a cosign signature, attestation or SBOM tag' }, true);
      return true;
    }
    let digest: string | null = null;
    try {
      digest = await client.manifestDigest(w.repo, tag);
      const known = digest === null ? undefined : w.verdicts.get(digest);
      if (known) return true;
      const resolved = await resolveWith(client, { ...w.repo, tag: digest === null ? tag : null, digest });
      digest = resolved.digest;
      if (w.verdicts.has(digest)) return true;
      try {
        const result = await this.deps.ingest.publish(this.actor, resolved);
        w.verdicts.set(digest, { kind: 'release', version: resolved.doc.version });
        if (result.changed) {
          w.stats.ingested++;
          logger.info({ repository, tag, payload: resolved.payload, version: resolved.doc.version, arch: resolved.arch, warnings: result.warnings },
            'watch: ingested a release');
        }
      } catch (err) {
        if (!isKusError(err)) throw err;
        // The publisher refused and audited it; the image will not change, so it is not offered again.
        this.skip(w, tag, digest, { kind: 'skipped', reason: 'refused', why: `${err.code}: ${err.message}` }, false);
      }
      return true;
    } catch (err) {
      if (isKusError(err) && err.code === 'KUS_ERR_NOT_A_RELEASE') {
        const d = digest ?? (typeof err.details?.digest === 'string' ? err.details.digest : `tag:${tag}`);
        this.skip(w, tag, d, { kind: 'skipped', reason: 'not-a-release', why: err.message }, true);
        return true;
      }
      logger.warn({ repository, tag, err: describe(err) }, 'watch: cannot read a tag; retrying at the next scrape');
      return false;
    }
  }

  private skip(w: RepositoryWatch, tag: string, key: string, verdict: Extract<Verdict, { kind: 'skipped' }>, quiet: boolean): void {
    if (!w.verdicts.has(key)) {
      w.verdicts.set(key, verdict);
      w.stats.skipped[verdict.reason]++;
    }
    if (w.logged.has(`${tag}\u0000${key}`)) return;
    w.logged.add(`${tag}\u0000${key}`);
    const fields = { repository: w.stats.repository, tag, reason: verdict.reason, why: verdict.why };
    if (quiet) this.deps.logger.info(fields, 'watch: skipping a tag that is not a release');
    else this.deps.logger.warn(fields, 'watch: the publisher refused a release image');
  }
}

function describe(err: unknown): { code?: string; message: string } {
  if (isKusError(err)) return { code: err.code, message: err.message };
  return { message: err instanceof Error ? err.message : String(err) };
}
