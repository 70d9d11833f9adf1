// Composition helper for CLI commands that act on a local store: opens it (migrations applied) and closes it.
import { openStore, type Store } from './store/index.js';

export type { Store };

/** Where `--db` points when neither the flag nor KUS_DB is given. */
export const DEFAULT_DB_FILE = './data/kus.db';

export interface Context {
  store: Store;
  close(): void;
}

export function openContext(options: { db?: string }): Context {
  const store = openStore(options.db ?? DEFAULT_DB_FILE);
  return { store, close: () => store.close() };
}
