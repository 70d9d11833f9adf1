// Release signing keys: name, fingerprint, armored public key, encrypted armored private key, active flag.
import type { Database, Statement } from 'better-sqlite3';

export interface StoredKey {
  name: string;
  /** 40 uppercase hex digits. */
  fingerprint: string;
  publicKey: string;
  /** Armored, encrypted with the signing passphrase; null for a public-only key. */
  privateKey: string | null;
  active: boolean;
  createdAt: string;
}

interface KeyRow {
  name: string;
  fingerprint: string;
  public_key: string;
  private_key: string | null;
  active: number;
  created_at: string;
}

const toKey = (r: KeyRow): StoredKey => ({
  name: r.name,
  fingerprint: r.fingerprint,
  publicKey: r.public_key,
  privateKey: r.private_key,
  active: r.active === 1,
  createdAt: r.created_at,
});

export class SigningKeysRepository {
  private readonly listStmt: Statement<[], KeyRow>;
  private readonly byNameStmt: Statement<[string], KeyRow>;
  private readonly byFingerprintStmt: Statement<[string], KeyRow>;
  private readonly insertStmt: Statement<[Record<string, unknown>]>;
  private readonly setActiveStmt: Statement<[number, string]>;
  private readonly countStmt: Statement<[], { n: number }>;
  private readonly deleteAllStmt: Statement<[]>;

  constructor(db: Database) {
    const columns = 'name, fingerprint, public_key, private_key, active, created_at';
    this.listStmt = db.prepare(`SELECT ${columns} FROM signing_keys ORDER BY created_at, name`);
    this.byNameStmt = db.prepare(`SELECT ${columns} FROM signing_keys WHERE name = ?`);
    this.byFingerprintStmt = db.prepare(`SELECT ${columns} FROM signing_keys WHERE fingerprint = ?`);
    this.insertStmt = db.prepare(`INSERT INTO signing_keys (name, fingerprint, public_key, private_key, active, created_at)
      VALUES (@name, @fingerprint, @publicKey, @privateKey, @active, @createdAt)`);
    this.setActiveStmt = db.prepare('UPDATE signing_keys SET active = ? WHERE name = ?');
    this.countStmt = db.prepare('SELECT count(*) AS n FROM signing_keys');
    this.deleteAllStmt = db.prepare('DELETE FROM signing_keys');
  }

  /** Oldest first. */
  list(): StoredKey[] {
    return this.listStmt.all().map(toKey);
  }

  active(): StoredKey[] {
    return this.list().filter((k) => k.active);
  }

  byName(name: string): StoredKey | undefined {
    const row = this.byNameStmt.get(name);
    return row && toKey(row);
  }

  byFingerprint(fingerprint: string): StoredKey | undefined {
    const row = this.byFingerprintStmt.get(fingerprint);
    return row && toKey(row);
  }

  insert(key: StoredKey): void {
    this.insertStmt.run({ ...key, active: key.active ? 1 : 0 });
  }

  /** Returns whether a key of that name exists. */
  setActive(name: string, active: boolean): boolean {
    return this.setActiveStmt.run(active ? 1 : 0, name).changes > 0;
  }

  /** Every key becomes one of these (a follower copying its primary's public keys); call inside a transaction. */
  replaceAll(keys: readonly StoredKey[]): void {
    this.deleteAllStmt.run();
    for (const k of keys) this.insert(k);
  }

  count(): number {
    return this.countStmt.get()!.n;
  }
}
