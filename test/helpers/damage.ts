// Damages a real SQLite file the way a failing disk does: one table's root page overwritten with junk.
import { openSync, writeSync, closeSync } from 'node:fs';
import Database from 'better-sqlite3';

/** Overwrites the root page of `table` in `file` (whose WAL must be checkpointed) and returns the page number. */
export function damageTable(file: string, table: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  let page: number;
  let size: number;
  try {
    page = (db.prepare('SELECT rootpage FROM sqlite_schema WHERE type = ? AND name = ?').get('table', table) as { rootpage: number }).rootpage;
    size = db.pragma('page_size', { simple: true }) as number;
  } finally {
    db.close();
  }
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, Buffer.alloc(size, 0xa5), 0, size, (page - 1) * size);
  } finally {
    closeSync(fd);
  }
  return page;
}
