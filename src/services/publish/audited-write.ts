// Runs one write in a transaction with its audit row; a refused write (KusError) is audited in its own transaction.
import { createHash } from 'node:crypto';
import { isKusError, KusError } from '../../errors/index.js';
import type { Store } from '../../store/index.js';
import type { Actor, WriteResult } from './types.js';

/** What a write is, for the audit log: also recorded when the write is refused. */
export interface WriteRequest {
  /** e.g. `release.add`. */
  action: string;
  /** What it is about, e.g. `4.9.15+arm64`; free text built from the request, valid or not. */
  target: string;
  /** The request as asked; recorded as `after` of a refused write. */
  request: unknown;
}

/** The outcome of the synchronous part of a write, before it is committed. */
export interface Applied<T> extends WriteResult<T> {
  before?: unknown;
  after?: unknown;
  /** Further audit rows of the same write (one that does several things at once), appended after its own. */
  also?: ReadonlyArray<{ action: string; target: string; before: unknown; after: unknown }>;
}

/**
 * `apply` runs inside a write transaction (BEGIN IMMEDIATE) and returns what it did; when it changed something the
 * audit row is appended in the same transaction. Any KusError thrown rolls everything back, is recorded as a refused
 * write, and is rethrown. Other errors (bugs, a broken store) are rethrown as they are.
 */
export function auditedWrite<T>(store: Store, actor: Actor, what: WriteRequest, apply: () => Applied<T>): WriteResult<T> {
  try {
    const done = store.writeTransaction(() => {
      const applied = apply();
      if (applied.changed) {
        store.audit.append({ actor: actor.name, action: what.action, target: what.target, before: applied.before ?? null, after: applied.after ?? null });
        for (const row of applied.also ?? []) store.audit.append({ actor: actor.name, ...row });
      }
      return applied;
    });
    return { value: done.value, warnings: done.warnings, changed: done.changed };
  } catch (err) {
    if (isKusError(err)) recordRefusal(store, actor, what, err);
    throw err;
  }
}

/** A refused request larger than this (as JSON) is kept as a summary, so no client can make one audit row large. */
export const REFUSED_REQUEST_MAX_BYTES = 4096;

/** What an audit row keeps of a refused request that was too large to keep whole. */
export interface RequestSummary {
  truncated: true;
  /** Bytes of the request as JSON (UTF-8). */
  bytes: number;
  /** sha256:<hex> of those bytes, to match the row against a copy of the request. */
  sha256: string;
  /** The first REFUSED_REQUEST_MAX_BYTES bytes of the JSON text (cut on a character boundary). */
  head: string;
}

/** The request as it is, or its summary when its JSON is over REFUSED_REQUEST_MAX_BYTES. */
export function boundedRequest(request: unknown): unknown {
  const json = JSON.stringify(request ?? null);
  if (json.length <= REFUSED_REQUEST_MAX_BYTES / 3) return request ?? null;
  const bytes = Buffer.from(json, 'utf8');
  if (bytes.length <= REFUSED_REQUEST_MAX_BYTES) return request ?? null;
  // Decoding a cut in the middle of a character would add U+FFFD; drop the partial character instead.
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, REFUSED_REQUEST_MAX_BYTES)).replace(/\uFFFD$/, '');
  const summary: RequestSummary = { truncated: true, bytes: bytes.length, sha256: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, head };
  return summary;
}

/** Appends the audit row of a refused write in a transaction of its own (a large request as a bounded summary). */
export function recordRefusal(store: Store, actor: Actor, what: WriteRequest, err: KusError): void {
  try {
    store.transaction(() =>
      store.audit.append({
        actor: actor.name,
        action: what.action,
        target: what.target,
        before: null,
        after: boundedRequest(what.request),
        outcome: 'refused',
        error: { code: err.code, message: err.message },
      }),
    );
  } catch (auditErr) {
    throw new KusError('KUS_ERR_STORE', `${what.action} was refused (${err.code}: ${err.message}), and recording the refusal in the audit log failed: ${(auditErr as Error).message}`,
      { refused: err.code }, { cause: auditErr });
  }
}
