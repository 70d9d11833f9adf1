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

function conditionalRow(edge: ConditionalEdgeDoc): ConditionalRow {
  return {
    file: edge.file,
    to_version: edge.to,
    from_regex: edge.from,
    url: edge.risk.url,
    name: edge.risk.name,
    message: edge.risk.message,
    matching_rules: JSON.stringify(edge.risk.matchingRules),
    extra: extraJson(edge.extra),
  };
}

/** What replaceAll compares: a file's kind and every column it stores. */
const blockedText = (to: string, from: string): string => JSON.stringify(['blocked', to, from]);
const conditionalText = (r: ConditionalRow): string =>
  JSON.stringify(['conditional', r.to_version, r.from_regex, r.url, r.name, r.message, r.matching_rules, r.extra]);

export class EdgesRepository {
  private readonly listBlockedStmt: Statement<[], BlockedRow>;
  private readonly listConditionalStmt: Statement<[], ConditionalRow>;
  private readonly insertBlockedStmt: Statement<[string, string, string]>;
  private readonly insertConditionalStmt: Statement<[ConditionalRow]>;
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
      VALUES (@file, @to_version, @from_regex, @url, @name, @message, @matching_rules, @extra)`);
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
    this.insertConditionalStmt.run(conditionalRow(edge));
  }

  /** Replaces the `from` regex of a plain blocked edge; returns whether the file exists. */
  setBlockedFrom(file: string, from: string): boolean {
    return this.setBlockedFromStmt.run(from, file).changes > 0;
  }

  /** Deletes the blocked-edges file of either kind; returns whether it existed. */
  deleteFile(file: string): boolean {
    return this.deleteBlockedFileStmt.run(file).changes + this.deleteConditionalFileStmt.run(file).changes > 0;
  }

  /**
   * Makes the tables hold exactly these edges. Call inside a transaction. Only the files that differ are written: a
   * replica stores the primary's whole snapshot on every sync, where at most a few edges changed. `known`
   * (Store.replaceAll) is what the tables hold, as the frozen edges last written: then they are not read, and an edge
   * that is one of them is not even compared.
   */
  replaceAll(
    blocked: readonly BlockedEdgeDoc[], conditional: readonly ConditionalEdgeDoc[],
    known?: { blocked: readonly BlockedEdgeDoc[]; conditional: readonly ConditionalEdgeDoc[] },
  ): void {
    const stored = new Map<string, { doc?: object; text: () => string }>();
    if (known === undefined) {
      for (const r of this.listBlockedStmt.all()) stored.set(r.file, { text: () => blockedText(r.to_version, r.from_regex) });
      for (const r of this.listConditionalStmt.all()) stored.set(r.file, { text: () => conditionalText(r) });
    } else {
      for (const e of known.blocked) stored.set(e.file, { doc: e, text: () => blockedText(e.to, e.from) });
      for (const e of known.conditional) stored.set(e.file, { doc: e, text: () => conditionalText(conditionalRow(e)) });
    }
    const wanted = [
      ...blocked.map((e) => ({ file: e.file, doc: e, text: () => blockedText(e.to, e.from), insert: () => this.insertBlocked(e) })),
      ...conditional.map((e) => ({ file: e.file, doc: e, text: () => conditionalText(conditionalRow(e)), insert: () => this.insertConditional(e) })),
    ];
    // A file given twice is written twice and fails as a full rewrite did (the unique checks name the clash).
    const count = new Map<string, number>();
    for (const w of wanted) count.set(w.file, (count.get(w.file) ?? 0) + 1);
    const same = (w: (typeof wanted)[number]): boolean => {
      const was = stored.get(w.file);
      return was !== undefined && (was.doc === w.doc || was.text() === w.text());
    };
    const kept = new Set(wanted.filter((w) => count.get(w.file) === 1 && same(w)).map((w) => w.file));
    for (const file of stored.keys()) if (!kept.has(file)) this.deleteFile(file);
    for (const w of wanted) if (!kept.has(w.file)) w.insert();
  }
}
