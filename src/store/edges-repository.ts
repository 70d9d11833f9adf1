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

  /** Call inside a transaction. */
  replaceAll(blocked: readonly BlockedEdgeDoc[], conditional: readonly ConditionalEdgeDoc[]): void {
    this.deleteBlockedStmt.run();
    this.deleteConditionalStmt.run();
    for (const e of blocked) this.insertBlockedStmt.run(e.file, e.to, e.from);
    for (const e of conditional) {
      this.insertConditionalStmt.run({
        file: e.file,
        to: e.to,
        from: e.from,
        url: e.risk.url,
        name: e.risk.name,
        message: e.risk.message,
        matchingRules: JSON.stringify(e.risk.matchingRules),
        extra: extraJson(e.extra),
      });
    }
  }
}
