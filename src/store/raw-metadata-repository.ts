// raw/metadata.json overrides: one row per (version, key), position keeping the file order.
import type { Database, Statement } from 'better-sqlite3';
import type { Metadata } from '../graph/index.js';

export class RawMetadataRepository {
  private readonly listStmt: Statement<[], { version: string; key: string; value: string }>;
  private readonly insertStmt: Statement<[number, string, string, string]>;
  private readonly deleteAllStmt: Statement<[]>;
  private readonly countStmt: Statement<[], { n: number }>;
  private readonly setStmt: Statement<[string, string, string]>;
  private readonly deleteStmt: Statement<[string, string]>;

  constructor(db: Database) {
    this.listStmt = db.prepare('SELECT version, key, value FROM raw_metadata ORDER BY position');
    this.insertStmt = db.prepare('INSERT INTO raw_metadata (position, version, key, value) VALUES (?, ?, ?, ?)');
    this.deleteAllStmt = db.prepare('DELETE FROM raw_metadata');
    this.countStmt = db.prepare('SELECT count(*) AS n FROM raw_metadata');
    // A new key goes last (so after the version's other keys); a changed value keeps its place.
    this.setStmt = db.prepare(`INSERT INTO raw_metadata (position, version, key, value)
      VALUES ((SELECT ifnull(max(position), -1) + 1 FROM raw_metadata), ?, ?, ?)
      ON CONFLICT (version, key) DO UPDATE SET value = excluded.value`);
    this.deleteStmt = db.prepare('DELETE FROM raw_metadata WHERE version = ? AND key = ?');
  }

  /** Sets one key of one version's entry. */
  set(version: string, key: string, value: string): void {
    this.setStmt.run(version, key, value);
  }

  /** Deletes one key of one version's entry; returns whether it existed. */
  delete(version: string, key: string): boolean {
    return this.deleteStmt.run(version, key).changes > 0;
  }

  /** Entries in stored order; a version's entry sits where its first key was stored. */
  list(): Array<[string, Metadata]> {
    const entries = new Map<string, Metadata>();
    for (const row of this.listStmt.all()) {
      const metadata = entries.get(row.version) ?? {};
      metadata[row.key] = row.value;
      entries.set(row.version, metadata);
    }
    return [...entries];
  }

  count(): number {
    return this.countStmt.get()!.n;
  }

  /**
   * An entry without keys has no effect on the graph and is not stored. Call inside a transaction. Input equal to
   * what is stored writes nothing (a replica stores the primary's whole snapshot on every sync).
   */
  replaceAll(entries: ReadonlyArray<readonly [string, Metadata]>): void {
    const rows = entries.flatMap(([version, metadata]) => Object.entries(metadata).map(([key, value]) => [version, key, value] as const));
    const stored = this.listStmt.all().map((r) => [r.version, r.key, r.value]);
    if (JSON.stringify(stored) === JSON.stringify(rows)) return;
    this.deleteAllStmt.run();
    rows.forEach(([version, key, value], position) => this.insertStmt.run(position, version, key, value));
  }
}
