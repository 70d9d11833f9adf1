// Makes the stored signatures exactly a snapshot's: only a follower (`kus serve --follow`) does, when it swaps in its
// primary's snapshot, in the transaction that stores the rest of it. Writers never delete signatures.
import type { Database } from 'better-sqlite3';
import type { NewSignature, SignatureSource } from './signatures-repository.js';

interface Row {
  digest: string;
  bytes: Buffer;
  key_fingerprint: string | null;
  source: SignatureSource;
  created_at: string;
}

const sameSignature = (a: Omit<Row, 'created_at'>, b: Row): boolean =>
  a.bytes.equals(b.bytes) && a.key_fingerprint === b.key_fingerprint && a.source === b.source;

/**
 * Returns a function that stores `list` as every signature there is, numbered from 1 per digest in list order
 * (identical bytes given twice for a digest are stored once). Only what differs is written: each sync carries every
 * signature (one per release at upstream scale), and rewriting them all was most of storing a snapshot. A digest's
 * signatures that are as stored from signature-1 on stay as they are; a signature stored again under another number
 * keeps its first time.
 */
export function prepareSignaturesSnapshot(db: Database, now: () => Date): (list: readonly NewSignature[]) => void {
  const all = db.prepare<[], Row>('SELECT digest, bytes, key_fingerprint, source, created_at FROM signatures ORDER BY digest, idx');
  const remove = db.prepare<[string, number]>('DELETE FROM signatures WHERE digest = ? AND idx > ?');
  const insert = db.prepare(`INSERT INTO signatures (digest, idx, bytes, key_fingerprint, created_at, source)
    VALUES (@digest, @idx, @bytes, @key_fingerprint, @created_at, @source)`);
  return (list) => {
    const wanted = new Map<string, Array<Omit<Row, 'created_at'>>>();
    for (const s of list) {
      const bytes = Buffer.from(s.bytes);
      let rows = wanted.get(s.digest);
      if (rows === undefined) wanted.set(s.digest, (rows = []));
      if (!rows.some((r) => r.bytes.equals(bytes))) rows.push({ digest: s.digest, bytes, key_fingerprint: s.keyFingerprint, source: s.source });
    }
    const stored = new Map<string, Row[]>();
    for (const row of all.iterate()) {
      const rows = stored.get(row.digest);
      if (rows === undefined) stored.set(row.digest, [row]);
      else rows.push(row);
    }
    const at = now().toISOString();
    for (const [digest, rows] of wanted) {
      const before = stored.get(digest) ?? [];
      stored.delete(digest);
      // The signatures both have, from signature-1 on, stay; the rest is written again.
      let kept = 0;
      while (kept < rows.length && kept < before.length && sameSignature(rows[kept]!, before[kept]!)) kept++;
      if (kept === rows.length && kept === before.length) continue;
      if (kept < before.length) remove.run(digest, kept);
      for (let i = kept; i < rows.length; i++) {
        const row = rows[i]!;
        const created = before.find((b) => b.bytes.equals(row.bytes))?.created_at ?? at;
        insert.run({ ...row, idx: i + 1, created_at: created });
      }
    }
    for (const digest of stored.keys()) remove.run(digest, 0);
  };
}
