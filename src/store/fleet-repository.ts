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

const toCluster = (r: ClusterRow): FleetClusterRow => ({
  id: r.id, firstSeen: r.first_seen, lastSeen: r.last_seen, version: r.version, channel: r.channel, arch: r.arch, userAgent: r.user_agent,
});

export class FleetRepository {
  private readonly versionOf: Statement<[string], { version: string | null; last_seen: number }>;
  private readonly upsert: Statement<[Record<string, unknown>]>;
  private readonly insertUpdate: Statement<[string, string, string, number]>;
  private readonly countsStmt: Statement<[number], FleetVersionCount>;
  private readonly updatesStmt: Statement<[number], FleetUpdateCount>;
  private readonly pruneStmt: Statement<[number]>;
  private readonly countStmt: Statement<[], { n: number }>;

  constructor(private readonly db: Database) {
    this.versionOf = db.prepare('SELECT version, last_seen FROM fleet_clusters WHERE id = ?');
    // A batch may arrive late (a timer fired after a later one): last_seen and the current fields only move forward.
    this.upsert = db.prepare(`INSERT INTO fleet_clusters (id, first_seen, last_seen, version, channel, arch, user_agent)
      VALUES (@id, @firstSeen, @lastSeen, @version, @channel, @arch, @userAgent)
      ON CONFLICT (id) DO UPDATE SET
        first_seen = min(fleet_clusters.first_seen, excluded.first_seen),
        last_seen = max(fleet_clusters.last_seen, excluded.last_seen),
        version = CASE WHEN excluded.last_seen >= fleet_clusters.last_seen THEN excluded.version ELSE fleet_clusters.version END,
        channel = CASE WHEN excluded.last_seen >= fleet_clusters.last_seen THEN excluded.channel ELSE fleet_clusters.channel END,
        arch = CASE WHEN excluded.last_seen >= fleet_clusters.last_seen THEN excluded.arch ELSE fleet_clusters.arch END,
        user_agent = CASE WHEN excluded.last_seen >= fleet_clusters.last_seen THEN excluded.user_agent ELSE fleet_clusters.user_agent END`);
    // Replicas deliver at least once: an observation already stored (same cluster, versions and time) is kept once.
    this.insertUpdate = db.prepare('INSERT OR IGNORE INTO fleet_updates (cluster_id, from_version, to_version, at) VALUES (?, ?, ?, ?)');
    this.countsStmt = db.prepare(`SELECT channel, arch, version, count(*) AS clusters FROM fleet_clusters WHERE last_seen >= ?
      GROUP BY channel, arch, version ORDER BY channel, arch, version`);
    this.updatesStmt = db.prepare(`SELECT from_version AS "from", to_version AS "to", count(DISTINCT cluster_id) AS clusters,
      min(at) AS first, max(at) AS last FROM fleet_updates WHERE at >= ? GROUP BY from_version, to_version ORDER BY clusters DESC, "from", "to"`);
    this.pruneStmt = db.prepare('DELETE FROM fleet_clusters WHERE last_seen < ?');
    this.countStmt = db.prepare('SELECT count(*) AS n FROM fleet_clusters');
  }

  /** Merges one batch in one transaction; a version change (from the stored version, or within the batch) becomes an update row. */
  record(batch: Iterable<FleetPollBatchEntry>): void {
    this.db.transaction(() => {
      for (const e of batch) {
        const stored = this.versionOf.get(e.id);
        if (stored && stored.version !== null && e.firstVersion !== null && stored.version !== e.firstVersion && e.firstSeen >= stored.last_seen) {
          this.insertUpdate.run(e.id, stored.version, e.firstVersion, e.firstSeen);
        }
        this.upsert.run({ id: e.id, firstSeen: e.firstSeen, lastSeen: e.lastSeen, version: e.version, channel: e.channel, arch: e.arch, userAgent: e.userAgent });
        for (const c of e.changes) this.insertUpdate.run(e.id, c.from, c.to, c.at);
      }
    })();
  }

  /** Clusters seen at or after `since` (ms), by channel, arch and version. */
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
