// Releases: one row per (version, arch), JSON columns for metadata and previous/next lists.
import type { Database, Statement } from 'better-sqlite3';
import type { Metadata, Release } from '../graph/index.js';

interface ReleaseRow {
  version: string;
  arch: string | null;
  payload: string;
  digest: string | null;
  metadata: string;
  previous: string;
  next: string;
  created_at: string;
}

function toRelease(row: ReleaseRow): Release {
  return {
    version: row.version,
    arch: row.arch,
    payload: row.payload,
    digest: row.digest,
    metadata: JSON.parse(row.metadata) as Metadata,
    previous: JSON.parse(row.previous) as string[],
    next: JSON.parse(row.next) as string[],
  };
}

/** A row of the whole-table read, as an array: better-sqlite3 builds a named object per row ~40% slower (6,251 rows at upstream scale, every publish). */
type ListRow = [version: string, arch: string | null, payload: string, digest: string | null, metadata: string, previous: string, next: string];

const key = (r: Pick<Release, 'version' | 'arch'>): string => `${r.version}\u0000${r.arch ?? ''}`;

/** A release's columns, created_at aside. */
function releaseRow(r: Release): Omit<ReleaseRow, 'created_at'> {
  return {
    version: r.version,
    arch: r.arch,
    payload: r.payload,
    digest: r.digest,
    metadata: JSON.stringify(r.metadata),
    previous: JSON.stringify(r.previous),
    next: JSON.stringify(r.next),
  };
}

const listRow = (r: Omit<ReleaseRow, 'created_at'>): ListRow => [r.version, r.arch, r.payload, r.digest, r.metadata, r.previous, r.next];

/** A stored row, or a release known to be stored (replaceAll's `known`), as the row it is stored as. */
const storedRow = (was: ListRow | Release): ListRow => (Array.isArray(was) ? was : listRow(releaseRow(was)));

const sameRow = (was: ListRow, row: Omit<ReleaseRow, 'created_at'>): boolean =>
  was[2] === row.payload && was[3] === row.digest && was[4] === row.metadata && was[5] === row.previous && was[6] === row.next;

export class ReleasesRepository {
  // Ordered like the releases/ file names (`<version>+<arch>.yaml`), byte order as SQLite's BINARY collation.
  private readonly listStmt: Statement<[], ListRow>;
  private readonly insertStmt: Statement<[Record<string, unknown>]>;
  private readonly countStmt: Statement<[], { n: number }>;
  private readonly findStmt: Statement<[string, string], ReleaseRow>;
  private readonly ofBaseStmt: Statement<[{ base: string }], ReleaseRow>;
  private readonly updateStmt: Statement<[Record<string, unknown>]>;
  private readonly deleteStmt: Statement<[string, string]>;

  constructor(private readonly db: Database, private readonly now: () => Date) {
    this.listStmt = db.prepare<[], ListRow>(`SELECT version, arch, payload, digest, metadata, previous, next FROM releases
      ORDER BY version || ifnull('+' || arch, '') || '.yaml'`).raw();
    this.insertStmt = db.prepare(`INSERT INTO releases (version, arch, payload, digest, metadata, previous, next, created_at)
      VALUES (@version, @arch, @payload, @digest, @metadata, @previous, @next, @created_at)`);
    this.countStmt = db.prepare('SELECT count(*) AS n FROM releases');
    // ifnull(arch, '') is the expression of the unique index, so these use it.
    this.findStmt = db.prepare(`SELECT version, arch, payload, digest, metadata, previous, next, created_at FROM releases
      WHERE version = ? AND ifnull(arch, '') = ?`);
    // GLOB, not LIKE: LIKE ignores ASCII case, and pre-release identifiers are case-sensitive.
    this.ofBaseStmt = db.prepare(`SELECT version, arch, payload, digest, metadata, previous, next, created_at FROM releases
      WHERE version = @base OR version GLOB @base || '+*' ORDER BY version || ifnull('+' || arch, '') || '.yaml'`);
    this.updateStmt = db.prepare(`UPDATE releases SET payload = @payload, digest = @digest, metadata = @metadata,
      previous = @previous, next = @next WHERE version = @version AND ifnull(arch, '') = @archKey`);
    this.deleteStmt = db.prepare("DELETE FROM releases WHERE version = ? AND ifnull(arch, '') = ?");
  }

  list(): Release[] {
    return this.listStmt.all().map(([version, arch, payload, digest, metadata, previous, next]) => ({
      version,
      arch,
      payload,
      digest,
      metadata: JSON.parse(metadata) as Metadata,
      previous: JSON.parse(previous) as string[],
      next: JSON.parse(next) as string[],
    }));
  }

  count(): number {
    return this.countStmt.get()!.n;
  }

  /** The release of one (version, arch), arch null for a node without architecture. */
  find(version: string, arch: string | null): Release | undefined {
    const row = this.findStmt.get(version, arch ?? '');
    return row && toRelease(row);
  }

  /**
   * The releases whose version is `base` (no build metadata), with or without build metadata, in list() order: the
   * stored versions are valid SemVer, so the text before a "+" is the version that build equality compares.
   */
  withBase(base: string): Release[] {
    return this.ofBaseStmt.all({ base }).map(toRelease);
  }

  /** Inserts the release, or replaces the stored one of the same (version, arch) keeping its created_at. */
  upsert(release: Release): void {
    const row = releaseRow(release);
    const updated = this.updateStmt.run({ ...row, archKey: release.arch ?? '' });
    if (updated.changes === 0) this.insertStmt.run({ ...row, created_at: this.now().toISOString() });
  }

  /** Returns whether a release was deleted. */
  delete(version: string, arch: string | null): boolean {
    return this.deleteStmt.run(version, arch ?? '').changes > 0;
  }

  /**
   * Makes the table hold exactly `releases`; a release that was already stored keeps its created_at. Call inside a
   * transaction. Only the rows that differ are written: a replica stores the primary's whole snapshot on every sync,
   * where one release changed, and rewriting all 6,251 rows at upstream scale (each write also fires the change
   * counter's trigger) took about 130 ms of its build worker per sync. `known` (Store.replaceAll) is what the table
   * holds, as the frozen releases last written: then the table is not read, and a release that is one of them is
   * not even compared.
   */
  replaceAll(releases: readonly Release[], known?: readonly Release[]): void {
    const stored = known === undefined
      ? new Map(this.listStmt.all().map((row) => [key({ version: row[0], arch: row[1] }), row]))
      : new Map(known.map((r) => [key(r), r]));
    const wanted = new Set(releases.map(key));
    for (const [k, was] of stored) {
      if (wanted.has(k)) continue;
      const [version, arch] = storedRow(was);
      this.deleteStmt.run(version, arch ?? '');
    }
    const at = this.now().toISOString();
    for (const release of releases) {
      const k = key(release);
      const was = stored.get(k);
      // Forgotten once handled: the same release twice is inserted twice and fails on the unique index, as before.
      stored.delete(k);
      if (was === release) continue;
      const row = releaseRow(release);
      if (was === undefined) this.insertStmt.run({ ...row, created_at: at });
      else if (!sameRow(storedRow(was), row)) this.updateStmt.run({ ...row, archKey: row.arch ?? '' });
    }
  }
}
