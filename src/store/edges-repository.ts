// Blocked edges (blocked-edges/<file> with to/from) and conditional edges (the same folder, declaring a risk).
import type { Database, Statement } from 'better-sqlite3';
import type { BlockedEdgeDoc, ConditionalEdgeDoc, MatchingRule } from '../graph/index.js';
import { extraJson } from './channels-repository.js';

interface BlockedRow {
  file: string;
  to_version: string;
  from_regex: string;
}

interface ConditionalRow extends BlockedRow {
  url: string;
  name: string;
  message: string;
  matching_rules: string;
  extra: string | null;
}

function toConditional(row: ConditionalRow): ConditionalEdgeDoc {
  const edge: ConditionalEdgeDoc = {
    file: row.file,
    to: row.to_version,
    from: row.from_regex,
    risk: { url: row.url, name: row.name, message: row.message, matchingRules: JSON.parse(row.matching_rules) as MatchingRule[] },
  };
  if (row.extra !== null) edge.extra = JSON.parse(row.extra) as Record<string, unknown>;
  return edge;
}

export class EdgesRepository {
  private readonly listBlockedStmt: Statement<[], BlockedRow>;
  private readonly listConditionalStmt: Statement<[], ConditionalRow>;
  private readonly insertBlockedStmt: Statement<[string, string, string]>;
  private readonly insertConditionalStmt: Statement<[Record<string, unknown>]>;
  private readonly deleteBlockedStmt: Statement<[]>;
  private readonly deleteConditionalStmt: Statement<[]>;
  private readonly countStmt: Statement<[], { n: number }>;
  private readonly setBlockedFromStmt: Statement<[string, string]>;
  private readonly deleteBlockedFileStmt: Statement<[string]>;
  private readonly deleteConditionalFileStmt: Statement<[string]>;

  constructor(db: Database) {
    this.listBlockedStmt = db.prepare('SELECT file, to_version, from_regex FROM blocked_edges ORDER BY file');
    this.listConditionalStmt = db.prepare(`SELECT file, to_version, from_regex, url, name, message, matching_rules, extra
      FROM conditional_edges ORDER BY file`);
    this.insertBlockedStmt = db.prepare('INSERT INTO blocked_edges (file, to_version, from_regex) VALUES (?, ?, ?)');
    this.insertConditionalStmt = db.prepare(`INSERT INTO conditional_edges (file, to_version, from_regex, url, name, message, matching_rules, extra)
      VALUES (@file, @to, @from, @url, @name, @message, @matchingRules, @extra)`);
    this.deleteBlockedStmt = db.prepare('DELETE FROM blocked_edges');
    this.deleteConditionalStmt = db.prepare('DELETE FROM conditional_edges');
    this.countStmt = db.prepare('SELECT (SELECT count(*) FROM blocked_edges) + (SELECT count(*) FROM conditional_edges) AS n');
    this.setBlockedFromStmt = db.prepare('UPDATE blocked_edges SET from_regex = ? WHERE file = ?');
    this.deleteBlockedFileStmt = db.prepare('DELETE FROM blocked_edges WHERE file = ?');
    this.deleteConditionalFileStmt = db.prepare('DELETE FROM conditional_edges WHERE file = ?');
  }

  listBlocked(): BlockedEdgeDoc[] {
    return this.listBlockedStmt.all().map((r) => ({ file: r.file, to: r.to_version, from: r.from_regex }));
  }

  listConditional(): ConditionalEdgeDoc[] {
    return this.listConditionalStmt.all().map(toConditional);
  }

  count(): number {
    return this.countStmt.get()!.n;
  }

  insertBlocked(edge: BlockedEdgeDoc): void {
    this.insertBlockedStmt.run(edge.file, edge.to, edge.from);
  }

  insertConditional(edge: ConditionalEdgeDoc): void {
    this.insertConditionalStmt.run({
      file: edge.file,
      to: edge.to,
      from: edge.from,
      url: edge.risk.url,
      name: edge.risk.name,
      message: edge.risk.message,
      matchingRules: JSON.stringify(edge.risk.matchingRules),
      extra: extraJson(edge.extra),
    });
  }

  /** Replaces the `from` regex of a plain blocked edge; returns whether the file exists. */
  setBlockedFrom(file: string, from: string): boolean {
    return this.setBlockedFromStmt.run(from, file).changes > 0;
  }

  /** Deletes the blocked-edges file of either kind; returns whether it existed. */
  deleteFile(file: string): boolean {
    return this.deleteBlockedFileStmt.run(file).changes + this.deleteConditionalFileStmt.run(file).changes > 0;
  }

  /** Call inside a transaction. */
  replaceAll(blocked: readonly BlockedEdgeDoc[], conditional: readonly ConditionalEdgeDoc[]): void {
    this.deleteBlockedStmt.run();
    this.deleteConditionalStmt.run();
    for (const e of blocked) this.insertBlocked(e);
    for (const e of conditional) this.insertConditional(e);
  }
}
