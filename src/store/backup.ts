// Online backup of a store file through SQLite's backup API, so the WAL is always accounted for:
// copying kus.db alone misses every commit still in kus.db-wal.
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { KusError, quote } from '../errors/index.js';
import { quickCheck } from './db.js';
import { migrations } from './migrations/index.js';
import { storeFailure } from './store-failure.js';

/** What a store file holds, as far as a backup or restore needs to know. */
export interface StoreFileInfo {
  file: string;
  bytes: number;
  /** Schema version (PRAGMA user_version). */
  schema: number;
  releases: number;
  signatures: number;
}

/** Copying everything in one step holds one read snapshot of the source: the copy is one consistent state. */
export const ALL_PAGES = 0x7fffffff;

export function tempBeside(file: string, what: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${what}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

export function fsyncPath(file: string): void {
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * The backup API copies the source's header, WAL flag included; a copy in rollback-journal mode is one self-contained
 * file that can be checked read-only without leaving -wal/-shm files beside it. `openStore` turns WAL back on.
 */
export function toRollbackJournal(file: string): void {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('journal_mode = DELETE');
  } finally {
    db.close();
  }
}

/** Wraps a failure of `file` as KUS_ERR_STORE naming it (KusErrors pass through). */
export function failure(err: unknown, file: string, doing: string, role: 'store' | 'file' = 'store'): KusError {
  if (err instanceof KusError) return err;
  return storeFailure(err, file, role) ?? new KusError('KUS_ERR_STORE', `cannot ${doing} ${quote(file)}: ${(err as Error).message}`, { file }, { cause: err });
}

/**
 * Checks that `file` is a sound KUS store this version can open: quick_check clean, a schema version KUS knows, the
 * releases table present. Opened read-only and without migrating, so a checked file is never changed.
 */
export function inspectStoreFile(file: string): StoreFileInfo {
  if (!existsSync(file)) throw new KusError('KUS_ERR_NOT_FOUND', `there is no file ${quote(file)}`, { file });
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const problems = quickCheck(db);
    if (problems.length > 0) {
      throw new KusError('KUS_ERR_STORE', `file ${quote(file)} is damaged (PRAGMA quick_check: ${problems.join('; ')})`, { file, problems });
    }
    const schema = db.pragma('user_version', { simple: true }) as number;
    const newest = migrations[migrations.length - 1]!.version;
    const hasReleases = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'releases'").get() !== undefined;
    if (schema < 1 || !hasReleases) throw new KusError('KUS_ERR_STORE', `file ${quote(file)} is an SQLite database but not a KUS store (schema version ${schema})`, { file, schema });
    if (schema > newest) {
      throw new KusError('KUS_ERR_STORE', `file ${quote(file)} has schema version ${schema}, newer than this KUS knows (${newest}); upgrade KUS`, { file, schema, newest });
    }
    const count = (table: string): number =>
      db!.prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?`).get(table) === undefined
        ? 0
        // The table name is one of ours, never user input.
        : (db!.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { file, bytes: statSync(file).size, schema, releases: count('releases'), signatures: count('signatures') };
  } catch (err) {
    throw failure(err, file, 'read', 'file');
  } finally {
    db?.close();
  }
}

/**
 * Copies the store `source` to `out` while other processes (a running `kus serve`) keep reading and writing it.
 * Written to a temp file beside `out`, checked, then renamed: `out` is a complete, sound copy or is left untouched.
 */
export async function backupStore(source: string, out: string): Promise<StoreFileInfo> {
  if (!existsSync(source)) throw new KusError('KUS_ERR_NOT_FOUND', `there is no KUS store at ${quote(source)}`, { file: source });
  if (!existsSync(path.dirname(path.resolve(out)))) {
    throw new KusError('KUS_ERR_IO', `cannot write ${quote(out)}: directory ${quote(path.dirname(path.resolve(out)))} does not exist`, { file: out });
  }
  const tmp = tempBeside(out, 'backup');
  let db: Database.Database | undefined;
  try {
    // Read-write (not readonly): a reader of a WAL database needs the shared-memory index the server also uses.
    db = new Database(source, { fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    await db.backup(tmp, { progress: () => ALL_PAGES });
  } catch (err) {
    rmSync(tmp, { force: true });
    throw failure(err, source, 'back up');
  } finally {
    db?.close();
  }
  try {
    toRollbackJournal(tmp);
    const info = inspectStoreFile(tmp);
    fsyncPath(tmp);
    renameSync(tmp, out);
    fsyncPath(path.dirname(path.resolve(out)));
    return { ...info, file: out };
  } catch (err) {
    rmSync(tmp, { force: true });
    throw failure(err, out, 'write');
  }
}
