// The audit trail: who changed what, with the state before and after, written in the same transaction as the change;
// refused writes are recorded too, with the error that refused them.
import type { Database, Statement } from 'better-sqlite3';

export type AuditOutcome = 'ok' | 'refused';

export interface AuditEntry {
  id: number;
  /** ISO 8601 time of the change. */
  at: string;
  actor: string;
  action: string;
  target: string | null;
  /** The state before the change (null for a creation or a refusal). */
  before: unknown;
  /** The state after the change; for a refusal, what was asked. */
  after: unknown;
  outcome: AuditOutcome;
  /** Why a write was refused; null when it was not. */
  error: { code: string; message: string } | null;
}

export type NewAuditEntry = Pick<AuditEntry, 'actor' | 'action'> &
  Partial<Pick<AuditEntry, 'target' | 'before' | 'after' | 'outcome' | 'error'>>;

interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  before: string | null;
  after: string | null;
  outcome: AuditOutcome;
  error_code: string | null;
  error_message: string | null;
}

const toJson = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));
const fromJson = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

function toEntry(r: AuditRow): AuditEntry {
  return {
    id: r.id,
    at: r.at,
    actor: r.actor,
    action: r.action,
    target: r.target,
    before: fromJson(r.before),
    after: fromJson(r.after),
    outcome: r.outcome,
    error: r.error_code === null ? null : { code: r.error_code, message: r.error_message ?? '' },
  };
}

export class AuditRepository {
  private readonly insertStmt: Statement<[Record<string, unknown>]>;
  private readonly listStmt: Statement<[number], AuditRow>;

  constructor(db: Database, private readonly now: () => Date) {
    this.insertStmt = db.prepare(`INSERT INTO audit (at, actor, action, target, before, after, outcome, error_code, error_message)
      VALUES (@at, @actor, @action, @target, @before, @after, @outcome, @errorCode, @errorMessage)`);
    this.listStmt = db.prepare(`SELECT id, at, actor, action, target, before, after, outcome, error_code, error_message
      FROM audit ORDER BY id DESC LIMIT ?`);
  }

  append(entry: NewAuditEntry): number {
    const info = this.insertStmt.run({
      at: this.now().toISOString(),
      actor: entry.actor,
      action: entry.action,
      target: entry.target ?? null,
      before: toJson(entry.before),
      after: toJson(entry.after),
      outcome: entry.outcome ?? 'ok',
      errorCode: entry.error?.code ?? null,
      errorMessage: entry.error?.message ?? null,
    });
    return Number(info.lastInsertRowid);
  }

  /** Newest first. */
  list(limit = 100): AuditEntry[] {
    return this.listStmt.all(limit).map(toEntry);
  }
}
