// Admin bearer tokens: created once (only the sha256 is stored), listed, revoked, and verified in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { KusError, quote } from '../errors/index.js';
import { TOKEN_SCOPES, type Store, type TokenScope } from '../store/index.js';
import { auditedWrite } from './publish/audited-write.js';
import type { Actor } from './publish/types.js';

export interface TokensDeps {
  store: Store;
  /** Clock for created/last-used times; tests pass a fixed one. */
  now?: () => Date;
}

export { TOKEN_SCOPES, type TokenScope };

export interface TokenInfo {
  name: string;
  scope: TokenScope;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface CreatedToken {
  name: string;
  scope: TokenScope;
  /** The secret: shown once, never stored. */
  token: string;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
/** Recognisable in logs and secret scanners; 32 random bytes are the secret. */
const TOKEN_PREFIX = 'kus_';
/** Longer presented values are not tokens of ours; they are not even hashed. */
const MAX_TOKEN_LENGTH = 256;
/** last_used_at is refreshed at most this often, so that reading the API does not mean a write per request. */
const TOUCH_INTERVAL_MS = 60_000;

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

export function requireTokenName(name: unknown): string {
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    throw new KusError('KUS_ERR_BAD_REQUEST',
      `token name ${quote(name)} is not usable: 1 to 64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit (e.g. ci-publisher)`,
      { value: name });
  }
  return name;
}

/** The scope asked for (default admin); KUS_ERR_BAD_REQUEST naming the scopes otherwise. */
export function requireTokenScope(scope: unknown): TokenScope {
  if (scope === undefined) return 'admin';
  if (typeof scope !== 'string' || !(TOKEN_SCOPES as readonly string[]).includes(scope)) {
    throw new KusError('KUS_ERR_BAD_REQUEST',
      `token scope ${quote(scope)} is not one of ${TOKEN_SCOPES.join(', ')} (admin: everything; viewer: read-only; fleet-report: a replica's fleet reports only)`,
      { value: scope });
  }
  return scope as TokenScope;
}

export class Tokens {
  private readonly store: Store;
  private readonly now: () => Date;

  constructor(deps: TokensDeps) {
    this.store = deps.store;
    this.now = deps.now ?? (() => new Date());
  }

  /** Makes a token; its secret is in the result only. A revoked token's name may be reused. */
  create(actor: Actor, name: string, scope?: TokenScope): CreatedToken {
    const request = scope === undefined ? { name } : { name, scope };
    const result = auditedWrite(this.store, actor, { action: 'token.create', target: String(name), request }, () => {
      const valid = requireTokenName(name);
      const allowed = requireTokenScope(scope);
      const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
      const created = this.store.tokens.create({ name: valid, hash: sha256(token).toString('hex'), scope: allowed, createdAt: this.now().toISOString() });
      if (!created) {
        throw new KusError('KUS_ERR_CONFLICT', `a token named ${quote(valid)} exists already; revoke it first ("kus token revoke ${valid}") or pick another name`, { name: valid });
      }
      // The audit row names the token, never its secret or hash.
      return { value: { name: valid, scope: allowed, token }, warnings: [], changed: true, before: null, after: { name: valid, scope: allowed } };
    });
    return result.value;
  }

  /** Active tokens, by name (secrets are never available again). */
  list(): TokenInfo[] {
    return this.store.tokens.active().map((t) => ({ name: t.name, scope: t.scope, createdAt: t.createdAt, lastUsedAt: t.lastUsedAt }));
  }

  revoke(actor: Actor, name: string): void {
    auditedWrite(this.store, actor, { action: 'token.revoke', target: String(name), request: { name } }, () => {
      const stored = this.store.tokens.find(name);
      if (!stored || stored.revokedAt !== null) {
        const names = this.store.tokens.active().map((t) => t.name);
        throw new KusError('KUS_ERR_NOT_FOUND',
          `there is no active token named ${quote(name)} (${names.length === 0 ? 'there are none' : `active: ${names.join(', ')}`})`, { name });
      }
      this.store.tokens.revoke(name, this.now().toISOString());
      return { value: undefined, warnings: [], changed: true, before: { name, createdAt: stored.createdAt }, after: null };
    });
  }

  /**
   * The token's name when `presented` is an active token, else null. Every active hash is compared, with
   * timingSafeEqual and without stopping at a match, so the time taken says nothing about which bytes were right.
   */
  verify(presented: string): { name: string; scope: TokenScope } | null {
    if (presented.length === 0 || presented.length > MAX_TOKEN_LENGTH) return null;
    const hash = sha256(presented);
    let match: { name: string; scope: TokenScope; lastUsedAt: string | null } | null = null;
    for (const t of this.store.tokens.active()) {
      const stored = Buffer.from(t.hash, 'hex');
      if (stored.length === hash.length && timingSafeEqual(stored, hash)) match = t;
    }
    if (!match) return null;
    const now = this.now();
    if (match.lastUsedAt === null || now.getTime() - Date.parse(match.lastUsedAt) >= TOUCH_INTERVAL_MS) {
      this.store.tokens.touch(match.name, now.toISOString());
    }
    return { name: match.name, scope: match.scope };
  }
}
