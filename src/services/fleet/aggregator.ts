// Graph polls merged in memory per cluster, and the clusters held there across writes: the graph endpoint only touches
// typed arrays (held-clusters.ts), and a cluster's row is handed to the store only when something about it changed
// (new, version, channel, arch, User-Agent), or as a refresh of its last poll once it polled since a write
// FLEET_REFRESH_MS old (refreshes at most a quota per write, so that clusters written together do not all come due
// together). A cluster polling more often (the benchmark's, every few seconds) is written about once a minute:
// SQLite's per-row cost was most of what recording cost (docs/fleet.md). Readers take the last poll of a held cluster
// from here (lastSeen), so the fleet API still shows a poll within a flush.
//
// Bounded whatever clients send (no token is needed to poll): at most maxClusters clusters held; past that a new
// cluster evicts one that is already written (nothing of it waits for the store), and when none can be found the poll
// is dropped and counted (a write is asked for at once). Every kept string is length-capped, at most MAX_CHANGES
// version changes per cluster between two writes.
import type { FleetPollBatchEntry } from '../../store/index.js';
import { ARCH, CHANNEL, FIRST_SEEN, FIRST_VERSION, HeldClusters, LAST_SEEN, parseClusterId, USER_AGENT, VERSION, WRITTEN } from './held-clusters.js';
import { RefreshColumnsBuilder, refreshEntries, type FleetRefreshColumns } from './refresh-columns.js';
import { mergeFleetEntries } from './report-merge.js';

/**
 * What a graph request's query tells about its cluster (channel and arch already validated by the graph query parser).
 * The graph answer path passes its memoized parse as is, so recording allocates nothing per request.
 */
export interface FleetPoll {
  /** The `id` query parameter as sent (a UUID in either case, validated here), or undefined. */
  readonly id: string | undefined;
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

type Change = { from: string; to: string; at: number };

/** HeldClusters.dirty: written, waiting for nothing; in `dirty` (must be in the next write); in `due` (refresh only). */
const CLEAN = 0;
const MUST = 1;
const REFRESH = 2;

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
  /** The clusters due only for a refresh, as columns (refresh-columns.ts). */
  readonly refreshes: FleetRefreshColumns;
  /** Per refresh, what was written of it before. */
  readonly refreshWritten: number[];
}

/** Every cluster of a drain as a batch entry (what a replica forwards to its primary, and what tests compare). */
export function drainedEntries(drain: FleetDrain): FleetPollBatchEntry[] {
  return drain.refreshes.count === 0 ? drain.entries : [...drain.entries, ...refreshEntries(drain.refreshes)];
}

export class FleetAggregator {
  private readonly held: HeldClusters;
  /** Slots that must be in the next write (new, changed, or forced), each once (HeldClusters.dirty = MUST). */
  private dirty: number[] = [];
  /**
   * Slots due only for a refresh of their last poll (HeldClusters.dirty = REFRESH), oldest first; an entry whose slot
   * has since moved to `dirty` or been written is skipped when reached. Written at most `refreshQuota` per drain.
   */
  private due: number[] = [];
  private dueCount = 0;
  /** Version changes since the last write, by slot; allocated on the first change only (most clusters never see one). */
  private readonly changes = new Map<number, Change[]>();
  /** The poll's id as four words (reused: parsing allocates nothing). */
  private readonly words = new Int32Array(4);
  /** Where the next eviction scan starts (a clock hand over the slots: the longest unvisited first). */
  private hand = 0;
  private interned = new Map<string, string>();
  private fullSignalled = false;
  private writes = 0;
  private committedWrite = 0;
  readonly stats: FleetAggregatorStats = { recorded: 0, anonymous: 0, dropped: 0, oversized: 0 };
  /** Written clusters let go of to make room for new ones (their next poll writes them again). */
  evicted = 0;

  constructor(
    maxClusters: number = FLEET_LIMITS.maxClusters,
    /** Called (once per fill) when no held cluster can make room, so that the owner writes without waiting for its timer. */
    private readonly onFull: () => void = () => undefined,
    private readonly refreshMs: number = FLEET_REFRESH_MS,
  ) {
    this.held = new HeldClusters(maxClusters);
  }

  /** Clusters held in memory. */
  get size(): number {
    return this.held.size;
  }

  /** Clusters waiting for the next write. */
  get pending(): number {
    return this.dirty.length + this.dueCount;
  }

  record(poll: FleetPoll, userAgent: string | undefined, now: number): void {
    const held = this.held;
    if (!parseClusterId(poll.id, this.words)) {
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
    let slot = held.find(this.words);
    if (slot < 0) {
      if (held.size >= held.capacity && !this.evictOne()) {
        this.stats.dropped++;
        if (!this.fullSignalled) {
          this.fullSignalled = true;
          this.onFull();
        }
        return;
      }
      slot = held.add(this.words);
      const kept = this.intern(version);
      held.setTime(slot, LAST_SEEN, now);
      held.setTime(slot, WRITTEN, 0);
      held.setTime(slot, FIRST_SEEN, now);
      held.setRef(slot, VERSION, kept);
      held.setRef(slot, FIRST_VERSION, kept);
      held.setRef(slot, CHANNEL, this.intern(poll.channel));
      held.setRef(slot, ARCH, this.intern(poll.arch));
      held.setRef(slot, USER_AGENT, this.intern(ua));
      this.markDirty(slot);
      this.stats.recorded++;
      return;
    }
    this.stats.recorded++;
    if (now > held.time(slot, LAST_SEEN)) held.setTime(slot, LAST_SEEN, now);
    let changed = false;
    const current = held.ref(slot, VERSION);
    if (held.time(slot, FIRST_SEEN) < 0) {
      // The first poll since the last write: the store finds a change from the version it has (dated here) itself.
      held.setTime(slot, FIRST_SEEN, now);
      let first = current;
      if (version !== current) {
        first = this.intern(version);
        held.setRef(slot, VERSION, first);
        changed = true;
      }
      held.setRef(slot, FIRST_VERSION, first);
    } else if (version !== current) {
      const kept = this.intern(version);
      if (kept !== null && current !== null) {
        let list = this.changes.get(slot);
        if (list === undefined) this.changes.set(slot, (list = []));
        if (list.length < MAX_CHANGES) list.push({ from: current, to: kept, at: now });
      }
      if (held.ref(slot, FIRST_VERSION) === null) held.setRef(slot, FIRST_VERSION, kept);
      held.setRef(slot, VERSION, kept);
      changed = true;
    }
    // Compared by content with the held (canonical, so shared and likely in cache) strings; equal but in a changed poll.
    if (poll.channel !== held.ref(slot, CHANNEL)) {
      held.setRef(slot, CHANNEL, this.intern(poll.channel));
      changed = true;
    }
    if (poll.arch !== held.ref(slot, ARCH)) {
      held.setRef(slot, ARCH, this.intern(poll.arch));
      changed = true;
    }
    if (ua !== held.ref(slot, USER_AGENT)) {
      held.setRef(slot, USER_AGENT, this.intern(ua));
      changed = true;
    }
    if (changed) this.markDirty(slot);
    else if (held.dirty[slot] === CLEAN && held.time(slot, LAST_SEEN) - held.time(slot, WRITTEN) >= this.refreshMs) this.markRefresh(slot);
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

  /** The slot must be in the next write (no-op when it already is). */
  private markDirty(slot: number): void {
    const state = this.held.dirty[slot];
    if (state === MUST) return;
    if (state === REFRESH) this.dueCount--;
    this.held.dirty[slot] = MUST;
    this.dirty.push(slot);
  }

  /** A clean slot's last poll is due for a refresh: written when the refresh quota reaches it. */
  private markRefresh(slot: number): void {
    this.held.dirty[slot] = REFRESH;
    this.due.push(slot);
    this.dueCount++;
    // Skipped entries are dropped as drains reach them; a flood of moves to `dirty` could leave many, so past a bound
    // the list is rebuilt from the slots (order by slot then, not by age: a rare case).
    if (this.due.length > 2 * this.held.capacity) {
      this.due = [];
      for (let i = 0; i < this.held.slots; i++) if (this.held.dirty[i] === REFRESH) this.due.push(i);
    }
  }

  /** The last poll of a held cluster (the store's lags it by less than the recorder's maxLagMs), else undefined. */
  lastSeen(id: string): number | undefined {
    const slot = this.slotOf(id);
    return slot < 0 ? undefined : this.held.time(slot, LAST_SEEN);
  }

  private slotOf(id: string): number {
    return parseClusterId(id, this.words) ? this.held.find(this.words) : -1;
  }

  /** The batch entry of a held cluster: its polls since its last write. */
  private entryOf(slot: number): FleetPollBatchEntry {
    const held = this.held;
    return {
      id: held.id(slot), firstSeen: held.time(slot, FIRST_SEEN), lastSeen: held.time(slot, LAST_SEEN), version: held.ref(slot, VERSION),
      firstVersion: held.ref(slot, FIRST_VERSION), channel: held.ref(slot, CHANNEL)!, arch: held.ref(slot, ARCH)!, userAgent: held.ref(slot, USER_AGENT),
      changes: this.changes.get(slot) ?? NO_CHANGES,
    };
  }

  /**
   * Hands over the clusters that must be written and up to `refreshQuota` of those due only for a refresh (oldest
   * first), each as a batch entry (its polls since its last write), and counts them as written; committed() or
   * restore() must follow, in the order of the drains. The quota spreads refreshes: clusters first written together
   * (a warm-up, a restart, a replica's first sync) come due together a refresh interval later, and writing them all at
   * once took several percent of a core from the graph for seconds (measured: ~10,000 rows/s at 100,000 clusters).
   * Refreshes come as columns (`refreshes`), the others as entries; drainedEntries() gives all as entries.
   */
  drain(refreshQuota = Infinity): FleetDrain {
    const held = this.held;
    const write = ++this.writes;
    const list = this.dirty;
    this.dirty = [];
    const refreshed: number[] = [];
    let taken = 0;
    let reached = 0;
    for (; reached < this.due.length && taken < refreshQuota; reached++) {
      const slot = this.due[reached]!;
      if (held.dirty[slot] !== REFRESH) continue;
      taken++;
      // A refresh-only slot never has changes or a new first version (a poll that brings one makes it MUST); checked
      // anyway, since the columns cannot carry either.
      if (!this.changes.has(slot) && held.ref(slot, FIRST_VERSION) === held.ref(slot, VERSION)) refreshed.push(slot);
      else list.push(slot);
    }
    this.due = reached === 0 ? this.due : this.due.slice(reached);
    this.dueCount -= taken;
    this.fullSignalled = false;
    const entries: FleetPollBatchEntry[] = new Array<FleetPollBatchEntry>(list.length);
    const written: number[] = new Array<number>(list.length);
    for (let i = 0; i < list.length; i++) {
      const slot = list[i]!;
      entries[i] = this.entryOf(slot);
      written[i] = this.markWritten(slot, write);
    }
    const builder = new RefreshColumnsBuilder(refreshed.length);
    const refreshWritten: number[] = new Array<number>(refreshed.length);
    for (let i = 0; i < refreshed.length; i++) {
      const slot = refreshed[i]!;
      builder.add(held.ids, slot * 4, held.time(slot, FIRST_SEEN), held.time(slot, LAST_SEEN), held.ref(slot, VERSION), held.ref(slot, CHANNEL)!,
        held.ref(slot, ARCH)!, held.ref(slot, USER_AGENT));
      refreshWritten[i] = this.markWritten(slot, write);
    }
    return { write, entries, written, refreshes: builder.build(), refreshWritten };
  }

  /** Counts a drained slot as written by `write`; returns what was written of it before. */
  private markWritten(slot: number, write: number): number {
    const held = this.held;
    const before = held.time(slot, WRITTEN);
    held.setTime(slot, WRITTEN, held.time(slot, LAST_SEEN));
    held.setTime(slot, FIRST_SEEN, -1);
    held.setRef(slot, FIRST_VERSION, held.ref(slot, VERSION));
    this.changes.delete(slot);
    held.dirty[slot] = CLEAN;
    held.write[slot] = write;
    return before;
  }

  /** The drained write is in the store: its clusters may be evicted. */
  committed(drain: FleetDrain): void {
    if (drain.write > this.committedWrite) this.committedWrite = drain.write;
  }

  /** The drained write failed: its entries wait again, merged with the polls that came since (nothing is lost). */
  restore(drain: FleetDrain): void {
    const held = this.held;
    const lostEntries = drainedEntries(drain);
    const lostWritten = [...drain.written, ...drain.refreshWritten];
    for (let i = 0; i < lostEntries.length; i++) {
      const lost = lostEntries[i]!;
      const slot = this.slotOf(lost.id);
      // Never missing: a cluster whose write is not committed is not evicted nor let go.
      if (slot < 0) continue;
      if (held.time(slot, FIRST_SEEN) < 0) {
        held.setTime(slot, FIRST_SEEN, lost.firstSeen);
        held.setRef(slot, FIRST_VERSION, lost.firstVersion);
        if (lost.changes.length > 0) this.changes.set(slot, [...lost.changes]);
      } else {
        const merged = mergeFleetEntries(lost, this.entryOf(slot));
        held.setTime(slot, FIRST_SEEN, merged.firstSeen);
        held.setRef(slot, FIRST_VERSION, merged.firstVersion);
        if (merged.changes.length > 0) this.changes.set(slot, merged.changes.slice(-MAX_CHANGES));
        else this.changes.delete(slot);
      }
      held.setTime(slot, WRITTEN, Math.min(held.time(slot, WRITTEN), lostWritten[i]!));
      this.markDirty(slot);
    }
  }

  /** Every held cluster polled since its last write waits for the next one (at shutdown: the store gets every last poll). */
  markAllPolled(): void {
    const held = this.held;
    for (let slot = 0; slot < held.slots; slot++) {
      if (held.used[slot] === 1 && held.time(slot, FIRST_SEEN) >= 0) this.markDirty(slot);
    }
  }

  /**
   * Before the store drops clusters last seen before `before`: a held cluster polled since then but written before
   * waits for the next write (so that its row is not dropped), and a written one not polled since is let go.
   */
  retain(before: number): void {
    const held = this.held;
    for (let slot = 0; slot < held.slots; slot++) {
      if (held.used[slot] === 0) continue;
      if (held.time(slot, LAST_SEEN) < before) {
        if (held.dirty[slot] === CLEAN && held.write[slot]! <= this.committedWrite) this.letGo(slot);
      } else if (held.time(slot, WRITTEN) < before) {
        this.markDirty(slot);
      }
    }
  }

  /**
   * Held clusters polled since a write at least FLEET_REFRESH_MS old are due for a refresh: one that went silent (no
   * later poll to find it due) still has its last poll stored within the recorder's maxLagMs. A pass over the slots
   * at each flush (well under a millisecond for 100,000 clusters), not a timer per cluster.
   */
  markDue(now: number): void {
    const held = this.held;
    for (let slot = 0; slot < held.slots; slot++) {
      if (held.used[slot] === 1 && held.dirty[slot] === CLEAN && held.time(slot, FIRST_SEEN) >= 0 && now - held.time(slot, WRITTEN) >= this.refreshMs) {
        this.markRefresh(slot);
      }
    }
  }

  private letGo(slot: number): void {
    this.changes.delete(slot);
    this.held.remove(slot);
  }

  /**
   * Lets go of a written cluster, from where the last scan stopped: one not polled since its write if the next
   * EVICT_SCAN held clusters have one, else the first written one among them (its store row then lags its last poll by
   * less than FLEET_REFRESH_MS, as while it was held; its next poll writes it again). False when none of them is written.
   */
  private evictOne(): boolean {
    const held = this.held;
    let scanned = 0;
    let fallback = -1;
    for (let n = 0; n < held.capacity && scanned < EVICT_SCAN; n++) {
      const slot = this.hand;
      this.hand = (this.hand + 1) % held.capacity;
      if (held.used[slot] === 0) continue;
      scanned++;
      if (held.dirty[slot] === CLEAN && held.write[slot]! <= this.committedWrite) {
        if (held.time(slot, FIRST_SEEN) < 0) {
          fallback = slot;
          break;
        }
        if (fallback < 0) fallback = slot;
      }
    }
    if (fallback < 0) return false;
    this.letGo(fallback);
    this.evicted++;
    return true;
  }
}
