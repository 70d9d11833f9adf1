// Graph polls merged in memory per cluster, and the clusters held there across writes: the graph endpoint only touches
// a Map, and a cluster's row is handed to the store only when something about it changed (new, version, channel, arch,
// User-Agent) or it polled since a write FLEET_REFRESH_MS old. A cluster polling more often than that (the
// benchmark's, every few seconds) is written about once a minute: SQLite's per-row cost, not the Map, was most of what
// recording cost (docs/fleet.md). Readers take the last poll of a held cluster from here
// (lastSeen), so the fleet API still shows a poll within a flush.
//
// Bounded whatever clients send (no token is needed to poll): at most maxClusters clusters held; past that a new
// cluster evicts one that is already written (nothing of it waits for the store), and when none can be found the poll
// is dropped and counted (a write is asked for at once). Every kept string is length-capped, at most MAX_CHANGES
// version changes per cluster between two writes.
import type { FleetPollBatchEntry } from '../../store/index.js';
import { mergeFleetEntries } from './report-merge.js';

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
  /**
   * Distinct clusters held in memory. Past it a new cluster evicts a written one; when all are waiting to be written,
   * the poll is dropped (counted) and a write is asked for at once.
   */
  maxClusters: 100_000,
  /** Longer versions are not semantic versions of any release; recorded as no version (and counted). */
  versionLength: 64,
  /** Channel names are validated by the graph query (^[0-9a-z.-]+$) but not bounded in length. */
  channelLength: 128,
  archLength: 32,
  /** User-Agent is kept truncated: it is informational. */
  userAgentLength: 256,
} as const;

/**
 * A held cluster whose polls change nothing is written again once its last poll is this much newer than the one
 * written: the store's last_seen of a held cluster lags its last poll by less than this (plus one flush).
 */
export const FLEET_REFRESH_MS = 60_000;

/** Version changes kept per cluster between writes (a cluster flapping between versions cannot grow an entry). */
const MAX_CHANGES = 8;
/** Held clusters looked at for one to evict before the poll is dropped (most are written: one is found at once). */
const EVICT_SCAN = 256;
/** Distinct strings kept canonical (see intern); past it the table starts afresh. */
const INTERNED = 4096;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** What clusters send (Go's uuid prints lower case): kept as is, without allocating a lower-cased copy per poll. */
const LOWER_UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type Change = { from: string; to: string; at: number };

interface Entry {
  readonly id: string;
  /** The last poll, and what it reported. */
  lastSeen: number;
  version: string | null;
  channel: string;
  arch: string;
  userAgent: string | null;
  /** lastSeen as last handed to the store (0: never). */
  written: number;
  /** The first poll since the last write was handed over (-1: none), the version it reported, the changes since. */
  firstSeen: number;
  firstVersion: string | null;
  /** Allocated on the first change only: most entries never see one. */
  changes: Change[] | undefined;
  /** Waiting for the next write (in the dirty list). */
  dirty: boolean;
  /** The write that last took it (a cluster whose write is not committed yet is not evicted). */
  write: number;
}

const NO_CHANGES: readonly Change[] = Object.freeze([]);

export interface FleetAggregatorStats {
  /** Polls with a valid cluster id, recorded. */
  recorded: number;
  /** Polls without a valid UUID id: counted only. */
  anonymous: number;
  /** Polls of a further cluster refused because every held cluster was waiting to be written (a write was asked for at once). */
  dropped: number;
  /** Polls whose channel, arch or version was longer than the caps. */
  oversized: number;
}

/** A write handed over by drain(): its entries, and what restore() needs should it fail. */
export interface FleetDrain {
  readonly write: number;
  readonly entries: FleetPollBatchEntry[];
  /** Per entry, what was written of it before. */
  readonly written: number[];
}

export class FleetAggregator {
  private readonly held = new Map<string, Entry>();
  private dirty: Entry[] = [];
  private interned = new Map<string, string>();
  private fullSignalled = false;
  private writes = 0;
  private committedWrite = 0;
  readonly stats: FleetAggregatorStats = { recorded: 0, anonymous: 0, dropped: 0, oversized: 0 };
  /** Written clusters let go of to make room for new ones (their next poll writes them again). */
  evicted = 0;

  constructor(
    private readonly maxClusters: number = FLEET_LIMITS.maxClusters,
    /** Called (once per fill) when no held cluster can make room, so that the owner writes without waiting for its timer. */
    private readonly onFull: () => void = () => undefined,
    private readonly refreshMs: number = FLEET_REFRESH_MS,
  ) {}

  /** Clusters held in memory. */
  get size(): number {
    return this.held.size;
  }

  /** Clusters waiting for the next write. */
  get pending(): number {
    return this.dirty.length;
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
    const entry = this.held.get(id);
    if (entry === undefined) {
      if (this.held.size >= this.maxClusters && !this.evictOne()) {
        this.stats.dropped++;
        if (!this.fullSignalled) {
          this.fullSignalled = true;
          this.onFull();
        }
        return;
      }
      const kept = this.intern(version);
      const created: Entry = {
        id, lastSeen: now, version: kept, channel: this.intern(poll.channel), arch: this.intern(poll.arch), userAgent: this.intern(ua), written: 0,
        firstSeen: now, firstVersion: kept, changes: undefined, dirty: true, write: 0,
      };
      this.held.set(id, created);
      this.dirty.push(created);
      this.stats.recorded++;
      return;
    }
    this.stats.recorded++;
    if (now > entry.lastSeen) entry.lastSeen = now;
    let changed = false;
    if (entry.firstSeen < 0) {
      // The first poll since the last write: the store finds a change from the version it has (dated here) itself.
      entry.firstSeen = now;
      if (version !== entry.version) {
        entry.version = this.intern(version);
        changed = true;
      }
      entry.firstVersion = entry.version;
    } else if (version !== entry.version) {
      const kept = this.intern(version);
      if (kept !== null && entry.version !== null) {
        entry.changes ??= [];
        if (entry.changes.length < MAX_CHANGES) entry.changes.push({ from: entry.version, to: kept, at: now });
      }
      if (entry.firstVersion === null) entry.firstVersion = kept;
      entry.version = kept;
      changed = true;
    }
    // Compared by content with the held (canonical, so shared and likely in cache) strings; equal but in a changed poll.
    if (poll.channel !== entry.channel) {
      entry.channel = this.intern(poll.channel);
      changed = true;
    }
    if (poll.arch !== entry.arch) {
      entry.arch = this.intern(poll.arch);
      changed = true;
    }
    if (ua !== entry.userAgent) {
      entry.userAgent = this.intern(ua);
      changed = true;
    }
    if (!entry.dirty && (changed || entry.lastSeen - entry.written >= this.refreshMs)) {
      entry.dirty = true;
      this.dirty.push(entry);
    }
  }

  /**
   * One string object per distinct value held: every poll brings fresh copies (parsed from its query and headers), and
   * comparing each with a copy of its own held per cluster, scattered over the heap, cost a cache miss per field
   * (measured: 2.2–4.9 us per poll at 100,000 clusters, against 0.7 us with shared strings). Only new or changed values
   * are looked up here, not every poll's.
   */
  private intern<S extends string | null>(value: S): S {
    if (value === null) return value;
    const known = this.interned.get(value);
    if (known !== undefined) return known as S;
    if (this.interned.size >= INTERNED) this.interned = new Map();
    this.interned.set(value, value);
    return value;
  }

  /** The last poll of a held cluster (the store's may lag it by up to FLEET_REFRESH_MS plus a flush), else undefined. */
  lastSeen(id: string): number | undefined {
    return this.held.get(id)?.lastSeen;
  }

  /**
   * Hands over the clusters waiting to be written, each as a batch entry (its polls since its last write), and counts
   * them as written; committed() or restore() must follow, in the order of the drains.
   */
  drain(): FleetDrain {
    const write = ++this.writes;
    const list = this.dirty;
    this.dirty = [];
    this.fullSignalled = false;
    const entries: FleetPollBatchEntry[] = new Array<FleetPollBatchEntry>(list.length);
    const written: number[] = new Array<number>(list.length);
    for (let i = 0; i < list.length; i++) {
      const e = list[i]!;
      entries[i] = {
        id: e.id, firstSeen: e.firstSeen, lastSeen: e.lastSeen, version: e.version, firstVersion: e.firstVersion, channel: e.channel, arch: e.arch,
        userAgent: e.userAgent, changes: e.changes ?? NO_CHANGES,
      };
      written[i] = e.written;
      e.written = e.lastSeen;
      e.firstSeen = -1;
      e.firstVersion = e.version;
      e.changes = undefined;
      e.dirty = false;
      e.write = write;
    }
    return { write, entries, written };
  }

  /** The drained write is in the store: its clusters may be evicted. */
  committed(drain: FleetDrain): void {
    if (drain.write > this.committedWrite) this.committedWrite = drain.write;
  }

  /** The drained write failed: its entries wait again, merged with the polls that came since (nothing is lost). */
  restore(drain: FleetDrain): void {
    for (let i = 0; i < drain.entries.length; i++) {
      const lost = drain.entries[i]!;
      const e = this.held.get(lost.id);
      // Never missing: a cluster whose write is not committed is not evicted nor let go.
      if (e === undefined) continue;
      if (e.firstSeen < 0) {
        e.firstSeen = lost.firstSeen;
        e.firstVersion = lost.firstVersion;
        e.changes = lost.changes.length > 0 ? [...lost.changes] : undefined;
      } else {
        const merged = mergeFleetEntries(lost, {
          id: e.id, firstSeen: e.firstSeen, lastSeen: e.lastSeen, version: e.version, firstVersion: e.firstVersion, channel: e.channel, arch: e.arch,
          userAgent: e.userAgent, changes: e.changes ?? NO_CHANGES,
        });
        e.firstSeen = merged.firstSeen;
        e.firstVersion = merged.firstVersion;
        e.changes = merged.changes.length > 0 ? merged.changes.slice(-MAX_CHANGES) : undefined;
      }
      e.written = Math.min(e.written, drain.written[i]!);
      if (!e.dirty) {
        e.dirty = true;
        this.dirty.push(e);
      }
    }
  }

  /** Every held cluster polled since its last write waits for the next one (at shutdown: the store gets every last poll). */
  markAllPolled(): void {
    for (const e of this.held.values()) {
      if (e.firstSeen >= 0 && !e.dirty) {
        e.dirty = true;
        this.dirty.push(e);
      }
    }
  }

  /**
   * Before the store drops clusters last seen before `before`: a held cluster polled since then but written before
   * waits for the next write (so that its row is not dropped), and a written one not polled since is let go.
   */
  retain(before: number): void {
    for (const e of this.held.values()) {
      if (e.lastSeen < before) {
        if (!e.dirty && e.write <= this.committedWrite) this.held.delete(e.id);
      } else if (e.written < before && !e.dirty) {
        e.dirty = true;
        this.dirty.push(e);
      }
    }
  }

  /**
   * Held clusters polled since a write at least FLEET_REFRESH_MS old wait for the next one: one that went silent
   * (no later poll to find it due) still has its last poll stored within a minute and a flush. A pass over the Map at
   * each flush (about a millisecond for 100,000 clusters), not a timer per cluster.
   */
  markDue(now: number): void {
    for (const e of this.held.values()) {
      if (!e.dirty && e.firstSeen >= 0 && now - e.written >= this.refreshMs) {
        e.dirty = true;
        this.dirty.push(e);
      }
    }
  }

  /**
   * Lets go of a written cluster, from the oldest held: one not polled since its write if the first EVICT_SCAN have
   * one, else the first written one (its store row then lags its last poll by less than FLEET_REFRESH_MS, as while it
   * was held; its next poll writes it again). False when none of them is written.
   */
  private evictOne(): boolean {
    let scanned = 0;
    let fallback: Entry | undefined;
    for (const e of this.held.values()) {
      if (!e.dirty && e.write <= this.committedWrite) {
        if (e.firstSeen < 0) {
          fallback = e;
          break;
        }
        fallback ??= e;
      }
      if (++scanned >= EVICT_SCAN) break;
    }
    if (fallback === undefined) return false;
    this.held.delete(fallback.id);
    this.evicted++;
    return true;
  }
}

function validId(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.length !== 36) return undefined;
  return LOWER_UUID_RE.test(raw) ? raw : UUID_RE.test(raw) ? raw.toLowerCase() : undefined;
}
