// Admin bearer tokens: name, sha256 of the secret (never the secret), creation, last use and revocation times.
import type { Database, Statement } from 'better-sqlite3';

/** What a token may do (enforced by the admin scope's hook, server/plugins/token-scope.ts). */
export type TokenScope = 'admin' | 'viewer' | 'fleet-report';
export const TOKEN_SCOPES: readonly TokenScope[] = ['admin', 'viewer', 'fleet-report'];

export interface StoredToken {
  name: string;
  /** sha256 of the secret, lowercase hex. */
  hash: string;
  scope: TokenScope;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

interface TokenRow {
  name: string;
  hash: string;
  scope: TokenScope;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

const toToken = (r: TokenRow): StoredToken => ({
  name: r.name,
  hash: r.hash,
  scope: r.scope,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at,
});

export class TokensRepository {
  private readonly findStmt: Statement<[string], TokenRow>;
  private readonly listStmt: Statement<[], TokenRow>;
  private readonly activeStmt: Statement<[], TokenRow>;
  private readonly upsertStmt: Statement<[Record<string, unknown>]>;
  private readonly revokeStmt: Statement<[string, string]>;
  private readonly touchStmt: Statement<[string, string]>;

  constructor(db: Database) {
    const columns = 'name, hash, scope, created_at, last_used_at, revoked_at';
    this.findStmt = db.prepare(`SELECT ${columns} FROM tokens WHERE name = ?`);
    this.listStmt = db.prepare(`SELECT ${columns} FROM tokens ORDER BY name`);
    this.activeStmt = db.prepare(`SELECT ${columns} FROM tokens WHERE revoked_at IS NULL ORDER BY name`);
    // A revoked token's name may be given to a new token: its row is reused.
    this.upsertStmt = db.prepare(`INSERT INTO tokens (name, hash, scope, created_at) VALUES (@name, @hash, @scope, @createdAt)
      ON CONFLICT (name) DO UPDATE SET hash = excluded.hash, scope = excluded.scope, created_at = excluded.created_at, last_used_at = NULL, revoked_at = NULL
      WHERE tokens.revoked_at IS NOT NULL`);
    this.revokeStmt = db.prepare('UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL');
    this.touchStmt = db.prepare('UPDATE tokens SET last_used_at = ? WHERE name = ?');
  }

  find(name: string): StoredToken | undefined {
    const row = this.findStmt.get(name);
    return row && toToken(row);
  }

  /** Every token, revoked ones included, by name. */
  list(): StoredToken[] {
    return this.listStmt.all().map(toToken);
  }

  /** Tokens not revoked, by name. */
  active(): StoredToken[] {
    return this.activeStmt.all().map(toToken);
  }

  /** Stores a new token; returns false (and changes nothing) when an active token already has the name. */
  create(token: { name: string; hash: string; createdAt: string; scope?: TokenScope }): boolean {
    return this.upsertStmt.run({ ...token, scope: token.scope ?? 'admin' }).changes > 0;
  }

  /** Returns whether an active token of that name was revoked. */
  revoke(name: string, at: string): boolean {
    return this.revokeStmt.run(at, name).changes > 0;
  }

  touch(name: string, at: string): void {
    this.touchStmt.run(at, name);
  }
}
