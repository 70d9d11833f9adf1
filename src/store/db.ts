// Opens the SQLite file: parent directory created, WAL journal, foreign keys on, optionally checked, migrations applied.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { KusError, quote } from '../errors/index.js';
import { migrate } from './migrate.js';
import { storeFailure } from './store-failure.js';

export interface OpenOptions {
  /** Run `PRAGMA quick_check` before anything else and refuse a damaged file (what a server does at start). */
  quickCheck?: boolean;
}

/** Problems `PRAGMA quick_check` reports (at most `limit`); empty when the file is sound. */
export function quickCheck(db: Database.Database, limit = 10): string[] {
  const rows = db.pragma(`quick_check(${limit})`, { simple: false }) as Array<{ quick_check: string }>;
  const problems = rows.map((r) => r.quick_check);
  return problems.length === 1 && problems[0] === 'ok' ? [] : problems;
}

export function openDatabase(file: string, options: OpenOptions = {}): Database.Database {
  let db: Database.Database | undefined;
  try {
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    // Wait for another process's write instead of failing at once (a CLI import next to a running server).
    db.pragma('busy_timeout = 5000');
    if (options.quickCheck && file !== ':memory:') {
      const problems = quickCheck(db);
      if (problems.length > 0) {
        throw new KusError('KUS_ERR_STORE', `store ${quote(file)} is damaged (PRAGMA quick_check: ${problems.join('; ')}); restore it from a backup ("kus restore --help")`,
          { file, problems });
      }
    }
    migrate(db, file);
    return db;
  } catch (err) {
    db?.close();
    if (err instanceof KusError) throw err;
    const failure = storeFailure(err, file);
    if (failure) throw failure;
    throw new KusError('KUS_ERR_STORE', `cannot open store ${quote(file)}: ${(err as Error).message}`, { file }, { cause: err });
  }
}
