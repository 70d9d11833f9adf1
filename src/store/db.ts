// Opens the SQLite file: parent directory created, WAL journal, foreign keys on, migrations applied.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { KusError, quote } from '../errors/index.js';
import { migrate } from './migrate.js';

export function openDatabase(file: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    // Wait for another process's write instead of failing at once (a CLI import next to a running server).
    db.pragma('busy_timeout = 5000');
    migrate(db, file);
    return db;
  } catch (err) {
    db?.close();
    if (err instanceof KusError) throw err;
    throw new KusError('KUS_ERR_STORE', `cannot open store ${quote(file)}: ${(err as Error).message}`, { file }, { cause: err });
  }
}
