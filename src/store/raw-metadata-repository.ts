// raw/metadata.json overrides: one row per (version, key), position keeping the file order.
import type { Database, Statement } from 'better-sqlite3';
import type { Metadata } from '../graph/index.js';

export class RawMetadataRepository {
  private readonly listStmt: Statement<[], { version: string; key: string; value: string }>;
  private readonly insertStmt: Statement<[number, string, string, string]>;
  private readonly deleteAllStmt: Statement<[]>;
  private readonly countStmt: Statement<[], { n: number }>;

  constructor(db: Database) {
    this.listStmt = db.prepare('SELECT version, key, value FROM raw_metadata ORDER BY position');
    this.insertStmt = db.prepare('INSERT INTO raw_metadata (position, version, key, value) VALUES (?, ?, ?, ?)');
    this.deleteAllStmt = db.prepare('DELETE FROM raw_metadata');
    this.countStmt = db.prepare('SELECT count(*) AS n FROM raw_metadata');
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

  /** An entry without keys has no effect on the graph and is not stored. Call inside a transaction. */
  replaceAll(entries: ReadonlyArray<readonly [string, Metadata]>): void {
    this.deleteAllStmt.run();
    let position = 0;
    for (const [version, metadata] of entries) {
      for (const [key, value] of Object.entries(metadata)) this.insertStmt.run(position++, version, key, value);
    }
  }
}
