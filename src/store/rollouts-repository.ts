// Phased rollouts and channel canaries: rows of migration 006, as the graph engine's Rollout and CanaryList.
import type { Database, Statement } from 'better-sqlite3';
import type { CanaryList, Rollout, RolloutState } from '../graph/index.js';

interface RolloutRow {
  channel: string;
  version: string;
  start: number;
  start_percentage: number;
  duration_ms: number;
  state: string;
  paused_fraction: number | null;
  halt_on_stalled: number | null;
  halted_at: number | null;
  halted_stalled: number | null;
  halted_rule: number | null;
}

export class RolloutsRepository {
  private readonly listStmt: Statement<[], RolloutRow>;
  private readonly insertStmt: Statement<[string, string, number, number, number, string, number | null, number | null, number | null, number | null, number | null]>;
  private readonly deleteChannelStmt: Statement<[string]>;
  private readonly deleteAllStmt: Statement<[]>;
  private readonly canariesStmt: Statement<[], { channel: string; cluster_id: string }>;
  private readonly insertCanaryStmt: Statement<[string, string, number]>;
  private readonly deleteChannelCanariesStmt: Statement<[string]>;
  private readonly deleteAllCanariesStmt: Statement<[]>;

  constructor(db: Database) {
    this.listStmt = db.prepare('SELECT * FROM rollouts ORDER BY channel, version');
    this.insertStmt = db.prepare(`INSERT INTO rollouts (channel, version, start, start_percentage, duration_ms, state, paused_fraction,
      halt_on_stalled, halted_at, halted_stalled, halted_rule) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.deleteChannelStmt = db.prepare('DELETE FROM rollouts WHERE channel = ?');
    this.deleteAllStmt = db.prepare('DELETE FROM rollouts');
    this.canariesStmt = db.prepare('SELECT channel, cluster_id FROM channel_canaries ORDER BY channel, position');
    this.insertCanaryStmt = db.prepare('INSERT INTO channel_canaries (channel, cluster_id, position) VALUES (?, ?, ?)');
    this.deleteChannelCanariesStmt = db.prepare('DELETE FROM channel_canaries WHERE channel = ?');
    this.deleteAllCanariesStmt = db.prepare('DELETE FROM channel_canaries');
  }

  list(): Rollout[] {
    return this.listStmt.all().map((r) => ({
      channel: r.channel, version: r.version, start: r.start, startPercentage: r.start_percentage, durationMs: r.duration_ms,
      state: r.state as RolloutState, pausedFraction: r.paused_fraction,
      // Absent rather than null, so a rollout without the rule reads as before migration 009.
      ...(r.halt_on_stalled !== null ? { haltOnStalled: r.halt_on_stalled } : {}),
      ...(r.halted_at !== null ? { halted: { at: r.halted_at, stalled: r.halted_stalled ?? 0, haltOnStalled: r.halted_rule ?? 0 } } : {}),
    }));
  }

  listCanaries(): CanaryList[] {
    const byChannel = new Map<string, string[]>();
    for (const row of this.canariesStmt.all()) {
      const ids = byChannel.get(row.channel);
      if (ids) ids.push(row.cluster_id);
      else byChannel.set(row.channel, [row.cluster_id]);
    }
    return [...byChannel].map(([channel, ids]) => ({ channel, ids }));
  }

  /** Makes one channel's rollouts and canaries these. Call inside a transaction. */
  replaceChannel(channel: string, rollouts: readonly Rollout[], canaries: readonly string[]): void {
    this.deleteChannelStmt.run(channel);
    this.deleteChannelCanariesStmt.run(channel);
    for (const r of rollouts) this.insert(r);
    canaries.forEach((id, i) => this.insertCanaryStmt.run(channel, id, i));
  }

  /** Call inside a transaction. */
  replaceAll(rollouts: readonly Rollout[], canaries: readonly CanaryList[]): void {
    this.deleteAllStmt.run();
    this.deleteAllCanariesStmt.run();
    for (const r of rollouts) this.insert(r);
    for (const list of canaries) list.ids.forEach((id, i) => this.insertCanaryStmt.run(list.channel, id, i));
  }

  private insert(r: Rollout): void {
    this.insertStmt.run(r.channel, r.version, r.start, r.startPercentage, r.durationMs, r.state, r.pausedFraction,
      r.haltOnStalled ?? null, r.halted?.at ?? null, r.halted?.stalled ?? null, r.halted?.haltOnStalled ?? null);
  }
}
