// Offline restore of a store file from a backup: checked first, refused while another process holds the store, and
// swapped in by rename with the old store's WAL folded away, so SQLite never replays a stale WAL onto the new file.
import { closeSync, existsSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { KusError, quote } from '../errors/index.js';
import { ALL_PAGES, failure, fsyncPath, inspectStoreFile, tempBeside, toRollbackJournal, type StoreFileInfo } from './backup.js';

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
