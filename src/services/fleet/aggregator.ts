// Graph polls merged in memory per cluster until the next flush: the graph endpoint only touches a Map, and the store
// sees one row per cluster per flush, however often it polls. Bounded whatever clients send (no token is needed to
// poll): at most maxClusters entries, every kept string length-capped, at most MAX_CHANGES version changes per entry.
import { fleetEntryRow, type FleetPollBatchEntry } from '../../store/index.js';

/**
 * What a graph request's query tells about its cluster (channel and arch already validated by the graph query parser).
 * The graph answer path passes its memoized parse as is, so recording allocates nothing per request.
 */
export interface FleetPoll {
  /** The `id` query parameter as sent (validated here), or undefined. */
  readonly id: string | undefined;
  /**
   * The id already validated and lower-cased (the graph query memo works it out once per query string for rollouts):
   * when the key is present it is taken as is, and `id` is not validated again.
   */
  readonly clusterId?: string | undefined;
  readonly version: string | undefined;
  readonly channel: string;
  readonly arch: string;
}

export const FLEET_LIMITS = {
  /** Distinct clusters held between two flushes; a full map flushes at once, and polls meanwhile are counted as dropped. */
  maxClusters: 100_000,
  /** Longer versions are not semantic versions of any release; recorded as no version (and counted). */
  versionLength: 64,
  /** Channel names are validated by the graph query (^[0-9a-z.-]+$) but not bounded in length. */
  channelLength: 128,
  archLength: 32,
  /** User-Agent is kept truncated: it is informational. */
  userAgentLength: 256,
} as const;

/** Version changes kept per cluster between flushes (a cluster flapping between versions cannot grow an entry). */
const MAX_CHANGES = 8;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** What clusters send (Go's uuid prints lower case): kept as is, without allocating a lower-cased copy per poll. */
const LOWER_UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Entry {
  id: string;
  firstSeen: number;
  lastSeen: number;
  version: string | null;
  firstVersion: string | null;
  channel: string;
  arch: string;
  userAgent: string | null;
  /** Allocated on the first change only: most entries never see one. */
  changes: Array<{ from: string; to: string; at: number }> | undefined;
}

const NO_CHANGES: ReadonlyArray<{ from: string; to: string; at: number }> = Object.freeze([]);

export interface FleetAggregatorStats {
  /** Polls with a valid cluster id, recorded. */
  recorded: number;
  /** Polls without a valid UUID id: counted only. */
  anonymous: number;
  /** Polls refused because the map was full (a flush was asked for at once). */
  dropped: number;
  /** Polls whose channel, arch or version was longer than the caps. */
  oversized: number;
}

export class FleetAggregator {
  private pending = new Map<string, Entry>();
  private fullSignalled = false;
  readonly stats: FleetAggregatorStats = { recorded: 0, anonymous: 0, dropped: 0, oversized: 0 };

  constructor(
    private readonly maxClusters: number = FLEET_LIMITS.maxClusters,
    /** Called (once per fill) when the map is full, so that the owner flushes without waiting for its timer. */
    private readonly onFull: () => void = () => undefined,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  record(poll: FleetPoll, userAgent: string | undefined, now: number): void {
    const id = 'clusterId' in poll ? poll.clusterId : validId(poll.id);
    if (id === undefined) {
      this.stats.anonymous++;
      return;
    }
    if (poll.channel.length > FLEET_LIMITS.channelLength || poll.arch.length > FLEET_LIMITS.archLength) {
      this.stats.oversized++;
      return;
    }
    let version: string | null = poll.version === undefined || poll.version === '' ? null : poll.version;
    if (version !== null && version.length > FLEET_LIMITS.versionLength) {
      this.stats.oversized++;
      version = null;
    }
    const ua = userAgent === undefined ? null : userAgent.length > FLEET_LIMITS.userAgentLength ? userAgent.slice(0, FLEET_LIMITS.userAgentLength) : userAgent;
    const entry = this.pending.get(id);
    if (entry === undefined) {
      if (this.pending.size >= this.maxClusters) {
        this.stats.dropped++;
        if (!this.fullSignalled) {
          this.fullSignalled = true;
          this.onFull();
        }
        return;
      }
      this.pending.set(id, { id, firstSeen: now, lastSeen: now, version, firstVersion: version, channel: poll.channel, arch: poll.arch, userAgent: ua, changes: undefined });
      this.stats.recorded++;
      return;
    }
    this.stats.recorded++;
    if (now > entry.lastSeen) entry.lastSeen = now;
    if (version !== entry.version) {
      if (version !== null && entry.version !== null) {
        entry.changes ??= [];
        if (entry.changes.length < MAX_CHANGES) entry.changes.push({ from: entry.version, to: version, at: now });
      }
      if (entry.firstVersion === null) entry.firstVersion = version;
      entry.version = version;
    }
    entry.channel = poll.channel;
    entry.arch = poll.arch;
    entry.userAgent = ua;
  }

  /**
   * Hands over everything merged so far, encoded for the store (encodeFleetBatch's format) in chunks of `chunk`
   * clusters, and starts afresh. Each chunk is encoded when it is asked for, so that the caller can let requests be
   * answered in between (a short-lived array per cluster, where a structured clone copied every entry object).
   */
  drainEncoded(chunk: number): Iterable<string> {
    const entries = this.pending.values();
    this.pending = new Map();
    this.fullSignalled = false;
    return encodedChunks(entries, chunk);
  }

  /** Hands over everything merged so far and starts afresh. */
  drain(): FleetPollBatchEntry[] {
    const batch: FleetPollBatchEntry[] = [];
    for (const e of this.pending.values()) batch.push({ ...e, changes: e.changes ?? NO_CHANGES });
    this.pending = new Map();
    this.fullSignalled = false;
    return batch;
  }
}

function validId(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.length !== 36) return undefined;
  return LOWER_UUID_RE.test(raw) ? raw : UUID_RE.test(raw) ? raw.toLowerCase() : undefined;
}

function* encodedChunks(entries: Iterator<Entry>, chunk: number): Generator<string, void, undefined> {
  for (;;) {
    const rows: unknown[] = [];
    while (rows.length < chunk) {
      const next = entries.next();
      if (next.done === true) break;
      rows.push(fleetEntryRow(next.value));
    }
    if (rows.length > 0) yield JSON.stringify(rows);
    if (rows.length < chunk) return;
  }
}
