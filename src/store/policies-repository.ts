// Promotion policies and what each did per version: rows of migration 007 (times in Unix ms).
import type { Database, Statement } from 'better-sqlite3';

export interface StoredPolicy {
  target: string;
  source: string;
  afterMs: number;
  rolloutMs: number | null;
  createdAt: number;
}

export type PromotionOutcome = 'promoted' | 'refused';

export interface StoredPromotion {
  target: string;
  source: string;
  version: string;
  at: number;
  outcome: PromotionOutcome;
  /** `CODE: message` of a refusal. */
  error: string | null;
}

interface PolicyRow {
  target: string;
  source: string;
  after_ms: number;
  rollout_ms: number | null;
  created_at: number;
}

export class PoliciesRepository {
  private readonly listStmt: Statement<[], PolicyRow>;
  private readonly upsertStmt: Statement<[PolicyRow]>;
  private readonly deleteStmt: Statement<[string, string]>;
  private readonly promotionsStmt: Statement<[], StoredPromotion>;
  private readonly recordStmt: Statement<[StoredPromotion]>;

  constructor(db: Database) {
    this.listStmt = db.prepare('SELECT * FROM promotion_policies ORDER BY target, source');
    this.upsertStmt = db.prepare(`INSERT INTO promotion_policies (target, source, after_ms, rollout_ms, created_at)
      VALUES (@target, @source, @after_ms, @rollout_ms, @created_at)
      ON CONFLICT (target, source) DO UPDATE SET after_ms = excluded.after_ms, rollout_ms = excluded.rollout_ms`);
    this.deleteStmt = db.prepare('DELETE FROM promotion_policies WHERE target = ? AND source = ?');
    this.promotionsStmt = db.prepare('SELECT target, source, version, at, outcome, error FROM policy_promotions ORDER BY target, source, version');
    this.recordStmt = db.prepare(`INSERT INTO policy_promotions (target, source, version, at, outcome, error)
      VALUES (@target, @source, @version, @at, @outcome, @error)
      ON CONFLICT (target, source, version) DO UPDATE SET at = excluded.at, outcome = excluded.outcome, error = excluded.error`);
  }

  list(): StoredPolicy[] {
    return this.listStmt.all().map((r) => ({ target: r.target, source: r.source, afterMs: r.after_ms, rolloutMs: r.rollout_ms, createdAt: r.created_at }));
  }

  /** Creates the policy, or changes the delays of an existing one (its creation time stays). */
  upsert(p: StoredPolicy): void {
    this.upsertStmt.run({ target: p.target, source: p.source, after_ms: p.afterMs, rollout_ms: p.rolloutMs, created_at: p.createdAt });
  }

  /** Returns whether it existed. */
  delete(target: string, source: string): boolean {
    return this.deleteStmt.run(target, source).changes > 0;
  }

  promotions(): StoredPromotion[] {
    return this.promotionsStmt.all();
  }

  /** Records the latest attempt of a policy for a version (one row per policy and version). */
  record(p: StoredPromotion): void {
    this.recordStmt.run(p);
  }
}
