// Removes every stored signature: only a follower (`kus serve --follow`) does, when it swaps in the primary's snapshot,
// in the same transaction that stores the snapshot's signatures. Writers never delete signatures.
import type { Database } from 'better-sqlite3';

export function prepareSignaturesReset(db: Database): () => void {
  const stmt = db.prepare('DELETE FROM signatures');
  return () => void stmt.run();
}
