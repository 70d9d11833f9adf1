// The fleet inventory's rows: per cluster its first/last poll and what it reports, and the version changes observed.
import type { Database, Statement } from 'better-sqlite3';

export interface FleetClusterRow {
  id: string;
  firstSeen: number;
  lastSeen: number;
  version: string | null;
  channel: string;
  arch: string;
  userAgent: string | null;
}

/** One cluster's polls since the last flush, merged: what it reported last and the version changes seen in between. */
export interface FleetPollBatchEntry extends FleetClusterRow {
  /** Version changes observed within the batch, oldest first (the change from the stored version is found here). */
  changes: ReadonlyArray<{ from: string; to: string; at: number }>;
  /** The first version reported within the batch (compared with the stored one). */
  firstVersion: string | null;
}

export interface FleetVersionCount {
  channel: string;
  arch: string;
  version: string | null;
  clusters: number;
}

/** A cluster that stopped polling after polling daily (see unseenDaily). */
export interface FleetUnseenRow extends FleetClusterRow {
  daysSeen: number;
}

/** One observed update whose offer time is known: how long (ms) the cluster took from being offered `to` to running it. */
export interface FleetUpdateDuration {
  from: string;
  to: string;
  took: number;
}

export interface FleetUpdateCount {
  from: string;
  to: string;
  clusters: number;
  first: number;
  last: number;
}

interface ClusterRow {
  id: string;
  first_seen: number;
  last_seen: number;
  version: string | null;
  channel: string;
  arch: string;
  user_agent: string | null;
}

const DAY_MS = 86_400_000;

const toCluster = (r: ClusterRow): FleetClusterRow => ({
  id: r.id, firstSeen: r.first_seen, lastSeen: r.last_seen, version: r.version, channel: r.channel, arch: r.arch, userAgent: r.user_agent,
});

/** "Seen daily" (docs/fleet.md): polled on at least 2 UTC days, and on at least 3/4 of the days from its first poll to its last; unseen since `?`. */
const UNSEEN_DAILY = `last_seen < ? AND days_seen >= 2 AND days_seen * 4 >= (last_seen / ${DAY_MS} - first_seen / ${DAY_MS} + 1) * 3`;

/** Clusters of one (channel, arch, version), unseen or not (see problemGroups). */
export interface FleetProblemGroup {
  channel: string;
  arch: string;
  version: string | null;
  unseen: 0 | 1;
  clusters: number;
}

export class FleetRepository {
  private readonly storedOf: Statement<[string], StoredRow>;
  private readonly upsert: Statement<EncodedEntryFields>;
  private readonly refresh: Statement<RefreshFields>;
  private readonly updatesOf: Statement<[string], { from: string; to: string; at: number }>;
  private readonly deleteUpdate: Statement<[string, string, string, number]>;
  private readonly insertUpdate: Statement<[string, string, string, number, number | null]>;
  private readonly offerOf: Statement<[string, string, string, string], { first_served: number }>;
  private readonly runningSince: Statement<[string, string, number], { at: number | null }>;
  private readonly offersOfBody: Statement<[string, string], { to: string; froms: string }>;
  private readonly addOffers: Statement<[string, string, string, number, string]>;
  private readonly offerBodies: Statement<[], { channel: string; arch: string; digest: string }>;
  private readonly noteOfferBody: Statement<[string, string, string]>;
  private readonly durationsStmt: Statement<[number], FleetUpdateDuration>;
  private readonly unseenStmt: Statement<[number], ClusterRow & { days_seen: number }>;
  private readonly problemGroupsStmt: Statement<[number], FleetProblemGroup>;
  private readonly countsStmt: Statement<[number], FleetVersionCount>;
  private readonly updatesStmt: Statement<[number], FleetUpdateCount>;
  private readonly pruneStmt: Statement<[number]>;
  private readonly countStmt: Statement<[], { n: number }>;

  constructor(private readonly db: Database) {
    this.storedOf = db.prepare<[string], StoredRow>('SELECT version, first_version, first_version_at, last_seen, first_seen FROM fleet_clusters WHERE id = ?').raw();
    // A batch may arrive late (a timer fired after a later one, a replica resent it): last_seen and the current fields
    // only move forward, first_seen and first_version only backward. days_seen grows by one for each UTC day of the
    // batch (its first and its last poll) later than the stored last poll. Positional parameters: binding by name cost
    // more per row than the statement's own work on a small row.
    this.upsert = db.prepare(`INSERT INTO fleet_clusters (id, first_seen, last_seen, version, first_version, channel, arch, user_agent, days_seen, first_version_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET
        days_seen = fleet_clusters.days_seen
          + (CASE WHEN excluded.first_seen / ${DAY_MS} > fleet_clusters.last_seen / ${DAY_MS} THEN 1 ELSE 0 END)
          + (CASE WHEN excluded.last_seen / ${DAY_MS} > max(excluded.first_seen, fleet_clusters.last_seen) / ${DAY_MS} THEN 1 ELSE 0 END),
        first_version = CASE WHEN excluded.first_version IS NOT NULL AND (fleet_clusters.first_version_at IS NULL OR excluded.first_version_at < fleet_clusters.first_version_at)
          THEN excluded.first_version ELSE fleet_clusters.first_version END,
        first_version_at = CASE WHEN excluded.first_version IS NOT NULL AND (fleet_clusters.first_version_at IS NULL OR excluded.first_version_at < fleet_clusters.first_version_at)
          THEN excluded.first_version_at ELSE fleet_clusters.first_version_at END,
        first_seen = min(fleet_clusters.first_seen, excluded.first_seen),
        last_seen = max(fleet_clusters.last_seen, excluded.last_seen),
        version = CASE WHEN excluded.last_seen >= fleet_clusters.last_seen THEN excluded.version ELSE fleet_clusters.version END,
        channel = CASE WHEN excluded.last_seen >= fleet_clusters.last_seen THEN excluded.channel ELSE fleet_clusters.channel END,
        arch = CASE WHEN excluded.last_seen >= fleet_clusters.last_seen THEN excluded.arch ELSE fleet_clusters.arch END,
        user_agent = CASE WHEN excluded.last_seen >= fleet_clusters.last_seen THEN excluded.user_agent ELSE fleet_clusters.user_agent END`);
    // A batch entry that only polled again (same version, channel, arch and User-Agent as stored, no change within the
    // batch, after the stored last poll) moves last_seen and days_seen, as the upsert would, without reading the row
    // first: what most writes are once clusters are held in memory (~4.5 us per row against ~8.5 for read and upsert).
    // SET expressions read the row as it was. Parameters are bound as REAL: cast, so that `/` divides as integers.
    this.refresh = db.prepare(`UPDATE fleet_clusters SET
        days_seen = days_seen + (CASE WHEN CAST(? AS INTEGER) / ${DAY_MS} > last_seen / ${DAY_MS} THEN 1 ELSE 0 END)
          + (CASE WHEN CAST(? AS INTEGER) / ${DAY_MS} > max(CAST(? AS INTEGER), last_seen) / ${DAY_MS} THEN 1 ELSE 0 END),
        last_seen = max(last_seen, CAST(? AS INTEGER))
      WHERE id = ? AND last_seen <= ? AND version IS ? AND channel = ? AND arch = ? AND user_agent IS ?`);
    this.updatesOf = db.prepare('SELECT from_version AS "from", to_version AS "to", at FROM fleet_updates WHERE cluster_id = ? ORDER BY at, id');
    this.deleteUpdate = db.prepare('DELETE FROM fleet_updates WHERE cluster_id = ? AND from_version = ? AND to_version = ? AND at = ?');
    // Replicas deliver at least once: an observation already stored (same cluster, versions and time) is kept once.
    this.insertUpdate = db.prepare('INSERT OR IGNORE INTO fleet_updates (cluster_id, from_version, to_version, at, offered_at) VALUES (?, ?, ?, ?, ?)');
    // An edge's sources are a space-separated list (migration 014): matched as a whole word.
    this.offerOf = db.prepare(`SELECT first_served FROM fleet_target_offers WHERE channel = ? AND arch = ? AND to_version = ?
      AND instr(' ' || from_versions || ' ', ' ' || ? || ' ') > 0 ORDER BY first_served LIMIT 1`);
    this.runningSince = db.prepare('SELECT max(at) AS at FROM fleet_updates WHERE cluster_id = ? AND to_version = ? AND at <= ?');
    this.offersOfBody = db.prepare('SELECT to_version AS "to", from_versions AS froms FROM fleet_target_offers WHERE channel = ? AND arch = ?');
    this.addOffers = db.prepare(`INSERT INTO fleet_target_offers (channel, arch, to_version, first_served, from_versions) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (channel, arch, to_version, first_served) DO UPDATE SET from_versions = from_versions || ' ' || excluded.from_versions`);
    this.offerBodies = db.prepare('SELECT channel, arch, digest FROM fleet_offer_bodies');
    this.noteOfferBody = db.prepare('INSERT INTO fleet_offer_bodies (channel, arch, digest) VALUES (?, ?, ?) ON CONFLICT (channel, arch) DO UPDATE SET digest = excluded.digest');
    this.durationsStmt = db.prepare(`SELECT from_version AS "from", to_version AS "to", at - offered_at AS took FROM fleet_updates
      WHERE at >= ? AND offered_at IS NOT NULL ORDER BY "from", "to", took`);
    this.unseenStmt = db.prepare(`SELECT id, first_seen, last_seen, version, channel, arch, user_agent, days_seen FROM fleet_clusters
      WHERE ${UNSEEN_DAILY} ORDER BY id`);
    this.problemGroupsStmt = db.prepare(`SELECT channel, arch, version, (${UNSEEN_DAILY}) AS unseen, count(*) AS clusters FROM fleet_clusters
      GROUP BY channel, arch, version, unseen`);
    this.countsStmt = db.prepare(`SELECT channel, arch, version, count(*) AS clusters FROM fleet_clusters WHERE last_seen >= ?
      GROUP BY channel, arch, version ORDER BY channel, arch, version`);
    this.updatesStmt = db.prepare(`SELECT from_version AS "from", to_version AS "to", count(DISTINCT cluster_id) AS clusters,
      min(at) AS first, max(at) AS last FROM fleet_updates WHERE at >= ? GROUP BY from_version, to_version ORDER BY clusters DESC, "from", "to"`);
    this.pruneStmt = db.prepare('DELETE FROM fleet_clusters WHERE last_seen < ?');
    this.countStmt = db.prepare('SELECT count(*) AS n FROM fleet_clusters');
  }

  /** Merges one batch in one transaction; a version change (from the stored version, or within the batch) becomes an update row. */
  record(batch: Iterable<FleetPollBatchEntry>): void {
    this.recordEncoded([encodeFleetBatch(batch)]);
  }

  /**
   * Like record, for batches already encoded (encodeFleetBatch) in chunks, and clusters that only polled again (no change
   * since their stored row, see FleetRefreshRow): all in one transaction. Measured at 100,000 clusters (45,000 per batch):
   * JSON.parse and two positional statements per entry 8.3 us, SQLite reading the JSON itself (json_each, ->>) 10.5 us,
   * the previous named-parameter statements on cloned objects 10.8 us per entry.
   */
  recordEncoded(chunks: readonly string[], refreshes: Iterable<FleetRefreshRow> = []): void {
    this.db.transaction(() => {
      for (const json of chunks) {
        for (const row of JSON.parse(json) as EncodedEntry[]) this.recordRow(row);
      }
      for (const [id, firstSeen, lastSeen, version, channel, arch, userAgent] of refreshes) {
        this.recordRow([id, firstSeen, lastSeen, version, version, channel, arch, userAgent, []]);
      }
    })();
  }

  private recordRow(row: EncodedEntry): void {
    const [id, firstSeen, lastSeen, version, firstVersion, channel, arch, userAgent, changes] = row;
    if (changes.length === 0 && firstVersion === version
      && this.refresh.run(firstSeen, lastSeen, firstSeen, lastSeen, id, firstSeen, version, channel, arch, userAgent).changes === 1) return;
    const stored = this.storedOf.get(id) as StoredRow | undefined;
    this.upsert.run(id, firstSeen, lastSeen, version, firstVersion, channel, arch, userAgent, Math.floor(lastSeen / DAY_MS) > Math.floor(firstSeen / DAY_MS) ? 2 : 1,
      firstVersion === null ? null : firstSeen);
    // Only an entry that may add or move an update row is looked at further (after its row is written: update rows
    // refer to it): a change within the batch, a version other than the stored one, or polls older than the stored last.
    if (changes.length > 0 || (stored !== undefined && (firstSeen < stored[3] || (stored[0] !== null && firstVersion !== null && stored[0] !== firstVersion)))) {
      const e = decodeEntry(row);
      this.addUpdatesOf(e, stored === undefined ? undefined : { version: stored[0], firstVersion: stored[1], firstVersionAt: stored[2], lastSeen: stored[3], firstSeen: stored[4] });
    }
  }

  private addUpdatesOf(e: FleetPollBatchEntry, stored: StoredCluster | undefined): void {
    const firstSeen = stored ? Math.min(stored.firstSeen, e.firstSeen) : e.firstSeen;
    if (!stored || e.firstSeen >= stored.lastSeen) {
      // After everything stored (the usual case): the change from the stored version is dated at the batch's first poll.
      if (stored && stored.version !== null && e.firstVersion !== null && stored.version !== e.firstVersion) {
        this.addUpdate(e, stored.version, e.firstVersion, e.firstSeen, firstSeen);
      }
      for (const c of e.changes) this.addUpdate(e, c.from, c.to, c.at, firstSeen);
      return;
    }
    this.mergeOutOfOrder(e, stored, firstSeen);
  }

  /**
   * A batch older than (or overlapping) what is stored: a replica's resent or late report. A cluster runs its versions
   * one after the other, so each version's first poll (the earliest over every batch) places it in the sequence, and
   * the update into it is dated there: what in-order writing gives, whatever order the batches came in. The update rows
   * are rewritten to that sequence. A cluster that went back to a version it ran before has no such sequence: its
   * batch only adds the changes it saw itself (dated exactly) and nothing is moved.
   */
  private mergeOutOfOrder(e: FleetPollBatchEntry, stored: StoredCluster, clusterFirstSeen: number): void {
    const existing = this.updatesOf.all(e.id);
    // Each source's sequence of versions with the poll that first showed each: the stored one, then the batch's.
    const storedSequence: Array<[string, number]> = [];
    const head = stored.firstVersion ?? existing[0]?.from ?? stored.version;
    if (head !== null) storedSequence.push([head, stored.firstVersionAt ?? stored.firstSeen]);
    for (const u of existing) storedSequence.push([u.to, u.at]);
    const batchSequence: Array<[string, number]> = [];
    if (e.firstVersion !== null) batchSequence.push([e.firstVersion, e.firstSeen]);
    for (const c of e.changes) batchSequence.push([c.to, c.at]);
    const firstPoll = new Map<string, number>();
    let revisits = false;
    for (const sequence of [storedSequence, batchSequence]) {
      for (const [version, at] of sequence) {
        if (sequence.some(([v, t]) => v === version && t < at)) revisits = true;
        firstPoll.set(version, Math.min(firstPoll.get(version) ?? at, at));
      }
    }
    const merged = [...firstPoll].sort((a, b) => a[1] - b[1]);
    const rank = new Map(merged.map(([v], i) => [v, i]));
    // Both sources must agree on the order of the versions they share, else a version came back.
    for (const sequence of [storedSequence, batchSequence]) {
      for (let i = 1; i < sequence.length; i++) if (rank.get(sequence[i]![0])! < rank.get(sequence[i - 1]![0])!) revisits = true;
    }
    if (revisits) {
      for (const c of e.changes) this.addUpdate(e, c.from, c.to, c.at, clusterFirstSeen);
      return;
    }
    const key = (from: string, to: string, at: number): string => `${from}\u0000${to}\u0000${at}`;
    const wanted = new Set<string>();
    for (let i = 1; i < merged.length; i++) wanted.add(key(merged[i - 1]![0], merged[i]![0], merged[i]![1]));
    const kept = new Set<string>();
    for (const u of existing) {
      const k = key(u.from, u.to, u.at);
      if (wanted.has(k)) kept.add(k);
      else this.deleteUpdate.run(e.id, u.from, u.to, u.at);
    }
    for (let i = 1; i < merged.length; i++) {
      const [from] = merged[i - 1]!;
      const [to, at] = merged[i]!;
      if (!kept.has(key(from, to, at))) this.addUpdate(e, from, to, at, clusterFirstSeen);
    }
  }

  /**
   * The update's offer time: the later of when the cluster started running `from` (its update into it, else its first
   * poll) and when the served graph of its channel and arch first had the edge; null when that edge was not served before.
   * Only updates pay for this (two indexed lookups), not polls.
   */
  private addUpdate(e: FleetPollBatchEntry, from: string, to: string, at: number, clusterFirstSeen: number): void {
    let offeredAt: number | null = null;
    const offer = this.offerOf.get(e.channel, e.arch, to, from);
    if (offer) {
      const since = Math.max(this.runningSince.get(e.id, from, at)?.at ?? clusterFirstSeen, offer.first_served);
      if (since <= at) offeredAt = since;
    }
    this.insertUpdate.run(e.id, from, to, at, offeredAt);
  }

  /** `arch \0 channel` → the content digest of the body whose edges fleet_target_offers last noted. */
  offerBodyDigests(): Map<string, string> {
    return new Map(this.offerBodies.all().map((r) => [`${r.arch}\u0000${r.channel}`, r.digest]));
  }

  /**
   * Notes the edges of one served body first seen at `at` and the digest they were read from, in one transaction:
   * one body at a time keeps each write short (the fleet writer shares the store). An edge already noted keeps its
   * time; the new ones of a target go into one row. Returns how many edges were new.
   */
  recordBodyOffers(channel: string, arch: string, digest: string, edges: Iterable<readonly [from: string, to: string]>, at: number): number {
    let added = 0;
    this.db.transaction(() => {
      const noted = new Map<string, Set<string>>();
      for (const { to, froms } of this.offersOfBody.all(channel, arch)) {
        let known = noted.get(to);
        if (known === undefined) noted.set(to, (known = new Set()));
        for (const from of froms.split(' ')) known.add(from);
      }
      const fresh = new Map<string, Set<string>>();
      for (const [from, to] of edges) {
        if (noted.get(to)?.has(from)) continue;
        let froms = fresh.get(to);
        if (froms === undefined) fresh.set(to, (froms = new Set()));
        froms.add(from);
      }
      for (const [to, froms] of fresh) {
        this.addOffers.run(channel, arch, to, at, [...froms].join(' '));
        added += froms.size;
      }
      this.noteOfferBody.run(channel, arch, digest);
    })();
    return added;
  }

  /** Updates observed at or after `since` (ms) with a known offer time, by (from, to), shortest first. */
  updateDurations(since: number): FleetUpdateDuration[] {
    return this.durationsStmt.all(since);
  }

  /** Per cluster: first and last poll and current version; with every update, by cluster then time (for the daily history). */
  historyRows(): { clusters: Array<{ id: string; first: number; last: number; version: string | null }>; updates: Array<{ id: string; from: string; to: string; at: number }> } {
    return {
      clusters: this.db.prepare('SELECT id, first_seen AS first, last_seen AS last, version FROM fleet_clusters').all() as Array<{ id: string; first: number; last: number; version: string | null }>,
      updates: this.db.prepare('SELECT cluster_id AS id, from_version AS "from", to_version AS "to", at FROM fleet_updates ORDER BY cluster_id, at, id')
        .all() as Array<{ id: string; from: string; to: string; at: number }>,
    };
  }

  /** The clusters that poll `channel` now (first poll, current version) and their updates, by cluster then time (adoption over time). */
  channelHistoryRows(channel: string): { clusters: Array<{ id: string; first: number; version: string | null }>; updates: Array<{ id: string; from: string; to: string; at: number }> } {
    return {
      clusters: this.db.prepare('SELECT id, first_seen AS first, version FROM fleet_clusters WHERE channel = ?').all(channel) as Array<{ id: string; first: number; version: string | null }>,
      updates: this.db.prepare(`SELECT u.cluster_id AS id, u.from_version AS "from", u.to_version AS "to", u.at FROM fleet_updates u
        JOIN fleet_clusters c ON c.id = u.cluster_id WHERE c.channel = ? ORDER BY u.cluster_id, u.at, u.id`).all(channel) as Array<{ id: string; from: string; to: string; at: number }>,
    };
  }

  /** Clusters of `arch` running `version`, and distinct clusters of `arch` observed updating to it. */
  releaseCounts(version: string, arch: string): { running: number; updatedTo: number } {
    const running = (this.db.prepare('SELECT count(*) AS n FROM fleet_clusters WHERE version = ? AND arch = ?').get(version, arch) as { n: number }).n;
    const updatedTo = (this.db.prepare(`SELECT count(DISTINCT u.cluster_id) AS n FROM fleet_updates u JOIN fleet_clusters c ON c.id = u.cluster_id
      WHERE u.to_version = ? AND c.arch = ?`).get(version, arch) as { n: number }).n;
    return { running, updatedTo };
  }

  /** Clusters seen daily (see the statement) whose last poll is before `before` (ms); ordered by id. */
  unseenDaily(before: number): FleetUnseenRow[] {
    return this.unseenStmt.all(before).map((r) => ({ ...toCluster(r), daysSeen: r.days_seen }));
  }

  /** Clusters seen at or after `since` (ms), by channel, arch and version. */
  /**
   * Clusters per (channel, arch, version), split by whether they are unseen after `before` (as unseenDaily): what the
   * problem counts are made of, counted by SQLite, so a /metrics scrape makes no object per cluster.
   */
  problemGroups(before: number): FleetProblemGroup[] {
    return this.problemGroupsStmt.all(before);
  }

  versionCounts(since: number): FleetVersionCount[] {
    return this.countsStmt.all(since);
  }

  /** Clusters, filtered; ordered by id. */
  clusters(filter: { version?: string | undefined; channel?: string | undefined; since?: number | undefined; limit?: number | undefined }): FleetClusterRow[] {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (filter.version !== undefined) { where.push('version = ?'); args.push(filter.version); }
    if (filter.channel !== undefined) { where.push('channel = ?'); args.push(filter.channel); }
    if (filter.since !== undefined) { where.push('last_seen >= ?'); args.push(filter.since); }
    const sql = `SELECT id, first_seen, last_seen, version, channel, arch, user_agent FROM fleet_clusters
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id ${filter.limit !== undefined ? 'LIMIT ?' : ''}`;
    if (filter.limit !== undefined) args.push(filter.limit);
    return (this.db.prepare(sql).all(...args) as ClusterRow[]).map(toCluster);
  }

  /** Each observed update at or after `since` (ms) of a cluster now in `channel`, oldest first (a rollout's evidence). */
  channelUpdates(channel: string, since: number): Array<{ clusterId: string; from: string; to: string; at: number }> {
    return this.db.prepare(`SELECT u.cluster_id AS clusterId, u.from_version AS "from", u.to_version AS "to", u.at AS at FROM fleet_updates u
      JOIN fleet_clusters c ON c.id = u.cluster_id WHERE c.channel = ? AND u.at >= ? ORDER BY u.at, u.id`)
      .all(channel, since) as Array<{ clusterId: string; from: string; to: string; at: number }>;
  }

  /** Every edge the served graph of `channel` has had (any arch, each once), as noted in fleet_target_offers. */
  channelOffers(channel: string): Array<{ from: string; to: string }> {
    const rows = this.db.prepare('SELECT to_version AS "to", from_versions AS froms FROM fleet_target_offers WHERE channel = ?').all(channel) as Array<{ to: string; froms: string }>;
    const seen = new Set<string>();
    const edges: Array<{ from: string; to: string }> = [];
    for (const { to, froms } of rows) {
      for (const from of froms.split(' ')) {
        const key = `${from} ${to}`;
        if (seen.has(key)) continue;
        seen.add(key);
        edges.push({ from, to });
      }
    }
    return edges;
  }

  /** Observed updates at or after `since` (ms), by (from, to), most clusters first. */
  updates(since: number): FleetUpdateCount[] {
    return this.updatesStmt.all(since);
  }

  /** Drops clusters (and their updates) last seen before `before` (ms); returns how many. */
  prune(before: number): number {
    return this.pruneStmt.run(before).changes;
  }

  count(): number {
    return this.countStmt.get()!.n;
  }
}

/** What the batch merge reads of a stored cluster (undefined fields: none stored). */
interface StoredCluster {
  version: string | null;
  /** The first version reported, and the first poll of the batch that reported it (null: never a version). */
  firstVersion: string | null;
  firstVersionAt: number | null;
  firstSeen: number;
  lastSeen: number;
}

/** version, first_version, first_version_at, last_seen, first_seen. */
type StoredRow = [string | null, string | null, number | null, number, number];

/**
 * A cluster that polled again with nothing changed since its last write: id, first and last poll since then, version,
 * channel, arch, User-Agent. Written as an entry with no changes and its version as its first version would be.
 */
export type FleetRefreshRow = readonly [id: string, firstSeen: number, lastSeen: number, version: string | null, channel: string, arch: string,
  userAgent: string | null];

export type EncodedEntry = [id: string, firstSeen: number, lastSeen: number, version: string | null, firstVersion: string | null, channel: string,
  arch: string, userAgent: string | null, changes: Array<[from: string, to: string, at: number]>];

/**
 * A batch as one JSON text of arrays (the field order of EncodedEntry): handed to the fleet writer's thread as a string
 * (copied as bytes, where a structured clone of as many objects cost the serving thread ~2.5 us per entry, profiled) and read
 * back by recordEncoded.
 */
export function encodeFleetBatch(batch: Iterable<FleetPollBatchEntry>): string {
  const rows: EncodedEntry[] = [];
  for (const e of batch) rows.push(fleetEntryRow(e));
  return JSON.stringify(rows);
}

/** One entry as encodeFleetBatch writes it (`changes` undefined: none), for callers that build the JSON text themselves. */
export function fleetEntryRow(e: Omit<FleetPollBatchEntry, 'changes'> & { changes: FleetPollBatchEntry['changes'] | undefined }): EncodedEntry {
  return [e.id, e.firstSeen, e.lastSeen, e.version, e.firstVersion, e.channel, e.arch, e.userAgent, e.changes === undefined ? [] : e.changes.map((c) => [c.from, c.to, c.at])];
}

type RefreshFields = [firstSeen: number, lastSeen: number, firstSeen: number, lastSeen: number, id: string, firstSeen: number, version: string | null,
  channel: string, arch: string, userAgent: string | null];

type EncodedEntryFields = [id: string, firstSeen: number, lastSeen: number, version: string | null, firstVersion: string | null, channel: string,
  arch: string, userAgent: string | null, daysSeen: number, firstVersionAt: number | null];

function decodeEntry(row: EncodedEntry): FleetPollBatchEntry {
  const [id, firstSeen, lastSeen, version, firstVersion, channel, arch, userAgent, changes] = row;
  return { id, firstSeen, lastSeen, version, firstVersion, channel, arch, userAgent, changes: changes.map(([from, to, at]) => ({ from, to, at })) };
}
