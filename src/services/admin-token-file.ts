// `kus serve --admin-token-file FILE`: an admin token kept outside the store (a Kubernetes Secret) is registered at
// start as the token "deploy", so that a deployment can hand the same secret to its clients.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { KusError, quote } from '../errors/index.js';
import type { Store } from '../store/index.js';
import { auditedWrite } from './publish/audited-write.js';

/** The name the file's token is stored under (`kus token list` shows it; `kus token revoke deploy` ends it until the next start). */
export const ADMIN_TOKEN_FILE_NAME = 'deploy';
/** Shorter secrets are guessable; `kus token create` makes 47 characters. */
const MIN_LENGTH = 24;
const MAX_LENGTH = 256;

/** The token in the file: its first line, trimmed. Throws KUS_ERR_CONFIG naming the file when it is unusable. */
export function readAdminTokenFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new KusError('KUS_ERR_CONFIG', `--admin-token-file ${quote(file)} cannot be read: ${(err as Error).message}`, { file }, { cause: err });
  }
  const token = (text.split(/\r?\n/)[0] ?? '').trim();
  if (token.length < MIN_LENGTH || token.length > MAX_LENGTH || /\s/.test(token)) {
    // The message never quotes the secret itself.
    throw new KusError('KUS_ERR_CONFIG',
      `--admin-token-file ${quote(file)} must hold one token of ${MIN_LENGTH} to ${MAX_LENGTH} characters without blanks on its first line ` +
      `(found ${token.length} characters); make one with: echo "kus_$(openssl rand -base64 32 | tr '+/' '-_' | tr -d '=')"`, { file });
  }
  return token;
}

/**
 * Stores the token as "deploy" unless it is already stored so; a different "deploy" token (the Secret was rotated)
 * is replaced. Returns whether anything changed; the audit row names the token, never its secret.
 */
export function registerAdminToken(store: Store, token: string, now: () => Date = () => new Date()): boolean {
  const hash = createHash('sha256').update(token, 'utf8').digest('hex');
  const name = ADMIN_TOKEN_FILE_NAME;
  return auditedWrite(store, { name: 'system:admin-token-file' }, { action: 'token.create', target: name, request: { name } }, () => {
    const stored = store.tokens.find(name);
    if (stored && stored.revokedAt === null && stored.hash === hash) return { value: false, warnings: [], changed: false };
    const at = now().toISOString();
    const rotated = stored !== undefined && stored.revokedAt === null;
    if (rotated) store.tokens.revoke(name, at);
    store.tokens.create({ name, hash, createdAt: at });
    return { value: true, warnings: [], changed: true, before: rotated ? { name, createdAt: stored.createdAt } : null, after: { name, source: 'admin-token-file' } };
  }).value;
}
