// Backing up and restoring the store file: the rules around the copy (which paths are acceptable, what is reported).
import path from 'node:path';
import { KusError, quote } from '../errors/index.js';
import { backupStore, restoreStore, type ReplacedStore, type StoreFileInfo } from '../store/index.js';

export interface BackupReport {
  db: string;
  out: string;
  bytes: number;
  schema: number;
  releases: number;
  signatures: number;
}

export interface RestoreReport {
  db: string;
  from: string;
  bytes: number;
  schema: number;
  releases: number;
  signatures: number;
  /** The store that was replaced; null when there was none. */
  replaced: Omit<ReplacedStore, 'file'> | null;
}

/** The store file and the two files SQLite keeps beside it: none of them may be the other side of a copy. */
function storeFiles(db: string): string[] {
  const file = path.resolve(db);
  return [file, `${file}-wal`, `${file}-shm`, `${file}-journal`];
}

/** A consistent copy of the store `db` at `out`, safe while a server runs on `db` (SQLite's online backup). */
export async function backup(db: string, out: string): Promise<BackupReport> {
  if (storeFiles(db).includes(path.resolve(out))) {
    throw new KusError('KUS_ERR_USAGE', `--out ${quote(out)} is the store ${quote(db)} or one of its files; write the backup elsewhere`, { file: out });
  }
  const info: StoreFileInfo = await backupStore(db, out);
  return { db, out, bytes: info.bytes, schema: info.schema, releases: info.releases, signatures: info.signatures };
}

/** Replaces the store `db` with the checked backup `from`; refused while another process holds `db`. */
export async function restore(db: string, from: string): Promise<RestoreReport> {
  if (storeFiles(db).includes(path.resolve(from))) {
    throw new KusError('KUS_ERR_USAGE', `--from ${quote(from)} is the store ${quote(db)} or one of its files; name a backup made by "kus backup"`, { file: from });
  }
  const { backup: info, replaced } = await restoreStore(from, db);
  return {
    db, from, bytes: info.bytes, schema: info.schema, releases: info.releases, signatures: info.signatures,
    replaced: replaced && { bytes: replaced.bytes, releases: replaced.releases },
  };
}
