// Online backup and offline restore of a store file through SQLite's backup API, so the WAL is always accounted for:
// copying kus.db alone misses every commit still in kus.db-wal.
import { closeSync, existsSync, fsyncSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
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
const ALL_PAGES = 0x7fffffff;

function tempBeside(file: string, what: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${what}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

function fsyncPath(file: string): void {
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
function toRollbackJournal(file: string): void {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('journal_mode = DELETE');
  } finally {
    db.close();
  }
}

/** Wraps a failure of `file` as KUS_ERR_STORE naming it (KusErrors pass through). */
function failure(err: unknown, file: string, doing: string, role: 'store' | 'file' = 'store'): KusError {
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

/** The first bytes of a rollback journal that still holds changes to roll back (SQLite's journal magic). */
const HOT_JOURNAL_MAGIC = Buffer.from('d9d505f920a163d7', 'hex');

/** Removes a rollback journal whose header was zeroed at commit; one still holding a transaction is an error. */
function removeSpentJournal(journal: string): void {
  if (!existsSync(journal)) return;
  const head = Buffer.alloc(HOT_JOURNAL_MAGIC.length);
  const fd = openSync(journal, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (head.equals(HOT_JOURNAL_MAGIC)) throw new KusError('KUS_ERR_STORE', `${quote(journal)} holds an unfinished transaction; refusing to restore beside it`, { file: journal });
  rmSync(journal);
}

/**
 * Takes the store `target` for this process alone: throws KUS_ERR_CONFLICT when another process (a running server, a
 * CLI command) has it open. With no one else, the WAL is folded into the file and the file switched out of WAL mode,
 * so no -wal file is left that SQLite could later replay onto a replaced file.
 */
function takeExclusive(target: string): Database.Database {
  const db = new Database(target, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 0');
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE; COMMIT');
    db.pragma('journal_mode = DELETE');
    // Exclusive mode keeps a spent rollback journal on disk; from here on nothing is written, so keep none at all.
    db.pragma('journal_mode = MEMORY');
    db.exec('BEGIN EXCLUSIVE; COMMIT');
    removeSpentJournal(`${target}-journal`);
    return db;
  } catch (err) {
    db.close();
    if (err instanceof Database.SqliteError && /^SQLITE_(BUSY|LOCKED)/.test(err.code)) {
      throw new KusError('KUS_ERR_CONFLICT', `store ${quote(target)} is in use by another process (a running "kus serve"?); stop it, then restore`, { file: target });
    }
    if (err instanceof Database.SqliteError && /^SQLITE_(CORRUPT|NOTADB)/.test(err.code)) {
      // Without the lock KUS cannot tell whether someone still holds the file, nor fold its WAL: the person decides.
      throw new KusError('KUS_ERR_STORE', `store ${quote(target)} is too damaged to be locked (${err.code}); move it and its -wal and -shm files aside, then restore to ${quote(target)}`,
        { file: target, sqlite: err.code }, { cause: err });
    }
    throw failure(err, target, 'lock');
  }
}

/**
 * Replaces the store `target` with the backup `from`, which is checked first (a damaged or foreign file is refused and
 * `target` left alone). Refused while another process has `target` open. The new content is written beside `target`
 * and renamed over it, so `target` is at every moment either the old store or the complete new one.
 */
export async function restoreStore(from: string, target: string): Promise<{ backup: StoreFileInfo; replaced: ReplacedStore | null }> {
  const backup = inspectStoreFile(from);
  if (existsSync(target) && path.resolve(target) === path.resolve(from)) {
    throw new KusError('KUS_ERR_USAGE', `the backup and the store are the same file ${quote(target)}`, { file: target });
  }
  if (!existsSync(path.dirname(path.resolve(target)))) {
    throw new KusError('KUS_ERR_IO', `cannot write ${quote(target)}: directory ${quote(path.dirname(path.resolve(target)))} does not exist`, { file: target });
  }
  // Held until the new file is in place: a server starting meanwhile waits on the lock instead of writing to the old one.
  const held = existsSync(target) ? takeExclusive(target) : undefined;
  const tmp = tempBeside(target, 'restore');
  try {
    const replaced = held ? inspectHeld(held, target) : null;
    for (const leftover of [`${target}-wal`, `${target}-journal`]) {
      if (existsSync(leftover)) throw new KusError('KUS_ERR_STORE', `${quote(leftover)} is still there after taking ${quote(target)}; refusing to restore beside it`, { file: leftover });
    }
    const source = new Database(from, { readonly: true, fileMustExist: true });
    try {
      await source.backup(tmp, { progress: () => ALL_PAGES });
    } finally {
      source.close();
    }
    toRollbackJournal(tmp);
    inspectStoreFile(tmp);
    fsyncPath(tmp);
    rmSync(`${target}-shm`, { force: true });
    renameSync(tmp, target);
    fsyncPath(path.dirname(path.resolve(target)));
    return { backup, replaced };
  } catch (err) {
    rmSync(tmp, { force: true });
    throw failure(err, target, 'restore');
  } finally {
    held?.close();
  }
}

/** The store a restore replaced; its release count is null when its pages could not be read (a damaged store). */
export interface ReplacedStore {
  file: string;
  bytes: number;
  releases: number | null;
}

/** Counts of the store about to be replaced, read through the connection that holds it. */
function inspectHeld(db: Database.Database, file: string): ReplacedStore {
  let releases: number | null;
  try {
    releases = (db.prepare('SELECT count(*) AS n FROM releases').get() as { n: number }).n;
  } catch {
    // Restoring is what a damaged store needs; its unreadable content is no reason to refuse.
    releases = null;
  }
  return { file, bytes: statSync(file).size, releases };
}
