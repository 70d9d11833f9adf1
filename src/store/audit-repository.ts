// The audit trail: who changed what, with the state before and after, written in the same transaction as the change.
import type { Database, Statement } from 'better-sqlite3';

export interface AuditEntry {
  id: number;
  /** ISO 8601 time of the change. */
  at: string;
  actor: string;
  action: string;
  target: string | null;
  before: unknown;
  after: unknown;
}

export type NewAuditEntry = Pick<AuditEntry, 'actor' | 'action'> & Partial<Pick<AuditEntry, 'target' | 'before' | 'after'>>;

interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  before: string | null;
  after: string | null;
}

const toJson = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));
const fromJson = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

export class AuditRepository {
  private readonly insertStmt: Statement<[Record<string, unknown>]>;
  private readonly listStmt: Statement<[number], AuditRow>;

  constructor(db: Database, private readonly now: () => Date) {
    this.insertStmt = db.prepare('INSERT INTO audit (at, actor, action, target, before, after) VALUES (@at, @actor, @action, @target, @before, @after)');
    this.listStmt = db.prepare('SELECT id, at, actor, action, target, before, after FROM audit ORDER BY id DESC LIMIT ?');
  }

  append(entry: NewAuditEntry): number {
    const info = this.insertStmt.run({
      at: this.now().toISOString(),
      actor: entry.actor,
      action: entry.action,
      target: entry.target ?? null,
      before: toJson(entry.before),
      after: toJson(entry.after),
    });
    return Number(info.lastInsertRowid);
  }

  /** Newest first. */
  list(limit = 100): AuditEntry[] {
    return this.listStmt.all(limit).map((r) => ({ ...r, before: fromJson(r.before), after: fromJson(r.after) }));
  }
}
