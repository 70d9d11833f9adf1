// Applies pending migrations in order, each in its own transaction together with its user_version bump.
import type { Database } from 'better-sqlite3';
import { KusError, quote } from '../errors/index.js';
import { migrations, type Migration } from './migrations/index.js';

export function migrate(db: Database, file: string, list: readonly Migration[] = migrations): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const newest = list.length === 0 ? 0 : list[list.length - 1]!.version;
  if (current > newest) {
    throw new KusError('KUS_ERR_STORE', `store ${quote(file)} has schema version ${current}, newer than this KUS knows (${newest}); upgrade KUS`, { file, current, newest });
  }
  let vacuum = false;
  for (const m of list) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      // PRAGMA takes no bound parameters; the value is our own integer.
      db.pragma(`user_version = ${m.version}`);
    })();
    // A new store has freed nothing: only a store that had data before is rewritten.
    vacuum ||= m.vacuum === true && current > 0;
  }
  // Outside any transaction, as SQLite requires; without it the freed pages would keep the file at its old size (55 MB
  // of 71 for migration 014 at upstream scale) until later writes reuse them.
  if (vacuum) db.exec('VACUUM');
  return db.pragma('user_version', { simple: true }) as number;
}
