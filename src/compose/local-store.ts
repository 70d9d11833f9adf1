// Opens the local store of a CLI command (migrations applied), closes it, and removes one that a failed command created.
import { existsSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { KusError, quote } from '../errors/index.js';
import { openStore, type Store } from '../store/index.js';

export type { Store };

/** Where `--db` points when neither the flag nor KUS_DB is given. */
export const DEFAULT_DB_FILE = './data/kus.db';

export interface Context {
  /** Handed to services only: the CLI itself never calls the store (eslint.config.js keeps src/store out of src/cli). */
  store: Store;
  /** The store's file, for messages. */
  file: string;
  /** This open made the file: nothing was stored there before. */
  created: boolean;
  close(): void;
  /** Closes; a store this open created is removed again (file, -wal, -shm), so a failed command leaves nothing behind. */
  discard(): void;
}

export interface StoreFileOptions {
  /** The file; undefined means the default, ./data/kus.db. */
  db?: string | undefined;
  /** How the file was named, for messages: `--db` (the default) or `KUS_DB`. */
  from?: string;
  /** False for commands that only read: a missing file is refused instead of becoming an empty store. Default true. */
  create?: boolean;
  /** Told, once the command succeeded, that it made a new store (a person may not have meant to). */
  onCreated?: (file: string) => void;
}

/** The files SQLite keeps for a store in WAL mode. */
const storeFiles = (file: string): string[] => [file, `${file}-wal`, `${file}-shm`, `${file}-journal`];

/**
 * Checks where a store is about to be opened, before anything is created. Only the default location's folder
 * (./data) may be made: any other missing folder is a typo far more often than a wish, and creating the tree would
 * hide it (a second, empty store that the server never reads).
 * Returns what the open will create, so that a failure can undo exactly that.
 */
export function checkStoreFile(options: StoreFileOptions): { file: string; exists: boolean; createsDir: string | null } {
  const file = options.db ?? DEFAULT_DB_FILE;
  if (file === ':memory:') return { file, exists: false, createsDir: null };
  const from = options.from ?? '--db';
  const exists = existsSync(file);
  if (!exists && options.create === false) {
    throw new KusError('KUS_ERR_NOT_FOUND', `there is no KUS store at ${quote(file)}; pass --db FILE (or KUS_DB) to name one, or --server URL to ask a running server`, { file });
  }
  const dir = path.dirname(path.resolve(file));
  if (exists || existsSync(dir)) return { file, exists, createsDir: null };
  if (options.db !== undefined) {
    throw new KusError('KUS_ERR_CONFIG', `${from} ${quote(options.db)}: the directory ${quote(dir)} does not exist; create it first (only the default ${DEFAULT_DB_FILE} gets its folder made)`,
      { setting: from, value: options.db });
  }
  return { file, exists, createsDir: dir };
}

/** Removes a store that a failed command created (and the default folder, if that was made for it and is empty). */
export function removeCreatedStore(file: string, createsDir: string | null): void {
  for (const f of storeFiles(file)) rmSync(f, { force: true });
  if (createsDir && existsSync(createsDir) && readdirSync(createsDir).length === 0) rmdirSync(createsDir);
}

export function openContext(options: StoreFileOptions): Context {
  const { file, exists, createsDir } = checkStoreFile(options);
  let store: Store;
  try {
    store = openStore(file);
  } catch (err) {
    if (!exists) removeCreatedStore(file, createsDir);
    throw err;
  }
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    store.close();
    if (!exists && file !== ':memory:') options.onCreated?.(path.resolve(file));
  };
  return {
    store,
    file: store.file,
    created: !exists && file !== ':memory:',
    close,
    discard: () => {
      if (!closed) store.close();
      closed = true;
      if (!exists && file !== ':memory:') removeCreatedStore(file, createsDir);
    },
  };
}

/** Opens the store, runs fn, closes it; when fn fails, a store this call created is removed again. */
export async function withContext<T>(options: StoreFileOptions, fn: (context: Context) => Promise<T> | T): Promise<T> {
  const context = openContext(options);
  let result: T;
  try {
    result = await fn(context);
  } catch (err) {
    context.discard();
    throw err;
  }
  context.close();
  return result;
}
