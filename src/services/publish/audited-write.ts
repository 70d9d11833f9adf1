// Runs one write in a transaction with its audit row; a refused write (KusError) is audited in its own transaction.
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
      }
      return applied;
    });
    return { value: done.value, warnings: done.warnings, changed: done.changed };
  } catch (err) {
    if (isKusError(err)) recordRefusal(store, actor, what, err);
    throw err;
  }
}

/** Appends the audit row of a refused write in a transaction of its own. */
export function recordRefusal(store: Store, actor: Actor, what: WriteRequest, err: KusError): void {
  try {
    store.transaction(() =>
      store.audit.append({
        actor: actor.name,
        action: what.action,
        target: what.target,
        before: null,
        after: what.request ?? null,
        outcome: 'refused',
        error: { code: err.code, message: err.message },
      }),
    );
  } catch (auditErr) {
    throw new KusError('KUS_ERR_STORE', `${what.action} was refused (${err.code}: ${err.message}), and recording the refusal in the audit log failed: ${(auditErr as Error).message}`,
      { refused: err.code }, { cause: auditErr });
  }
}
