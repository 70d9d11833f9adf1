// Release signatures: per digest, numbered from 1 without gaps, never overwritten; the bytes are served as stored.
import type { Database, Statement } from 'better-sqlite3';

export type SignatureSource = 'signed' | 'uploaded' | 'imported';

export interface StoredSignature {
  digest: string;
  index: number;
  bytes: Buffer;
  /** The verified signer; null for an imported signature whose key is not stored. */
  keyFingerprint: string | null;
  createdAt: string;
  source: SignatureSource;
}

export interface NewSignature {
  digest: string;
  bytes: Uint8Array;
  keyFingerprint: string | null;
  source: SignatureSource;
}

interface SignatureRow {
  digest: string;
  idx: number;
  bytes: Buffer;
  key_fingerprint: string | null;
  created_at: string;
  source: SignatureSource;
}

const toSignature = (r: SignatureRow): StoredSignature => ({
  digest: r.digest,
  index: r.idx,
  bytes: r.bytes,
  keyFingerprint: r.key_fingerprint,
  createdAt: r.created_at,
  source: r.source,
});

export class SignaturesRepository {
  private readonly getStmt: Statement<[string, number], { bytes: Buffer }>;
  private readonly ofDigestStmt: Statement<[string], SignatureRow>;
  private readonly allStmt: Statement<[], SignatureRow>;
  private readonly nextStmt: Statement<[string], { next: number }>;
  private readonly insertStmt: Statement<[Record<string, unknown>]>;
  private readonly countStmt: Statement<[], { n: number }>;

  constructor(db: Database, private readonly now: () => Date) {
    const columns = 'digest, idx, bytes, key_fingerprint, created_at, source';
    this.getStmt = db.prepare('SELECT bytes FROM signatures WHERE digest = ? AND idx = ?');
    this.ofDigestStmt = db.prepare(`SELECT ${columns} FROM signatures WHERE digest = ? ORDER BY idx`);
    this.allStmt = db.prepare(`SELECT ${columns} FROM signatures ORDER BY digest, idx`);
    this.nextStmt = db.prepare('SELECT coalesce(max(idx), 0) + 1 AS next FROM signatures WHERE digest = ?');
    this.insertStmt = db.prepare(`INSERT INTO signatures (digest, idx, bytes, key_fingerprint, created_at, source)
      VALUES (@digest, @idx, @bytes, @keyFingerprint, @createdAt, @source)`);
    this.countStmt = db.prepare('SELECT count(*) AS n FROM signatures');
  }

  /** The bytes of `signature-<index>` of a digest: what the HTTP store serves. */
  bytes(digest: string, index: number): Buffer | undefined {
    return this.getStmt.get(digest, index)?.bytes;
  }

  ofDigest(digest: string): StoredSignature[] {
    return this.ofDigestStmt.all(digest).map(toSignature);
  }

  /** By digest, then index. */
  list(): StoredSignature[] {
    return this.allStmt.all().map(toSignature);
  }

  /**
   * Stores the signature as the next free index of its digest and returns that index; identical bytes already
   * stored for the digest are not stored twice (their index is returned with `added: false`). Run it inside a write
   * transaction so that two writers cannot pick the same index.
   */
  append(signature: NewSignature): { index: number; added: boolean } {
    const bytes = Buffer.from(signature.bytes);
    const same = this.ofDigest(signature.digest).find((s) => s.bytes.equals(bytes));
    if (same) return { index: same.index, added: false };
    const index = this.nextStmt.get(signature.digest)!.next;
    this.insertStmt.run({
      digest: signature.digest,
      idx: index,
      bytes,
      keyFingerprint: signature.keyFingerprint,
      createdAt: this.now().toISOString(),
      source: signature.source,
    });
    return { index, added: true };
  }

  count(): number {
    return this.countStmt.get()!.n;
  }
}
