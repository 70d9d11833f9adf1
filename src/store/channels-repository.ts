// Channels (channels/<file>): name, kept extra keys, and the ordered version list in channel_versions.
import type { Database, Statement } from 'better-sqlite3';
import { channelDoc, type ChannelDoc } from '../graph/index.js';

/** Since when a channel lists a version (the earliest of its files' rows, when several files share the name). */
export interface ChannelListing {
  channel: string;
  /** The entry as listed: a version, or version+arch. */
  entry: string;
  /** Unix ms (migration 007: rows older than it count from the migration). */
  addedAt: number;
}

interface ChannelRow {
  file: string;
  name: string;
  extra: string | null;
}

export class ChannelsRepository {
  private readonly listStmt: Statement<[], ChannelRow>;
  /** Rows as arrays (`raw()`): 12,000 rows at upstream scale are read on every publish, and named rows cost ~40% more. */
  private readonly versionsStmt: Statement<[], [channelFile: string, version: string]>;
  private readonly insertStmt: Statement<[string, string, string | null]>;
  private readonly insertVersionStmt: Statement<[string, number, string, number]>;
  private readonly listingsStmt: Statement<[{ channels: string | null }], { channel: string; entry: string; added_at: number }>;
  private readonly countStmt: Statement<[], { n: number }>;
  private readonly deleteStmt: Statement<[string]>;
  private readonly appendVersionStmt: Statement<[{ file: string; version: string; at: number }]>;
  private readonly removeVersionStmt: Statement<[string, string]>;

  /** The clock of added_at (the store's: tests pass a fixed one). */
  constructor(db: Database, private readonly now: () => Date) {
    this.listStmt = db.prepare('SELECT file, name, extra FROM channels ORDER BY file');
    this.versionsStmt = db.prepare<[], [string, string]>('SELECT channel_file, version FROM channel_versions ORDER BY channel_file, position').raw();
    this.insertStmt = db.prepare('INSERT INTO channels (file, name, extra) VALUES (?, ?, ?)');
    this.insertVersionStmt = db.prepare('INSERT INTO channel_versions (channel_file, position, version, added_at) VALUES (?, ?, ?, ?)');
    this.listingsStmt = db.prepare(`SELECT c.name AS channel, v.version AS entry, min(v.added_at) AS added_at
      FROM channel_versions v JOIN channels c ON c.file = v.channel_file
      WHERE @channels IS NULL OR c.name IN (SELECT value FROM json_each(@channels))
      GROUP BY c.name, v.version ORDER BY c.name, v.version`);
    this.countStmt = db.prepare('SELECT count(*) AS n FROM channels');
    this.deleteStmt = db.prepare('DELETE FROM channels WHERE file = ?');
    this.appendVersionStmt = db.prepare(`INSERT INTO channel_versions (channel_file, position, version, added_at)
      VALUES (@file, (SELECT ifnull(max(position), -1) + 1 FROM channel_versions WHERE channel_file = @file), @version, @at)`);
    // Positions only order the list, so a gap left by a removal is harmless.
    this.removeVersionStmt = db.prepare('DELETE FROM channel_versions WHERE channel_file = ? AND version = ?');
  }

  /** In file-name order, versions in their listed order. */
  list(): ChannelDoc[] {
    const versions = new Map<string, string[]>();
    for (const [file, version] of this.versionsStmt.all()) {
      const list = versions.get(file);
      if (list) list.push(version);
      else versions.set(file, [version]);
    }
    return this.listStmt.all().map((row) =>
      channelDoc(row.file, row.name, versions.get(row.file) ?? [], row.extra === null ? undefined : JSON.parse(row.extra) as Record<string, unknown>));
  }

  /** Every (channel name, entry) with the time it was first listed (of these channels only), by channel then entry. */
  listings(channels?: readonly string[]): ChannelListing[] {
    return this.listingsStmt.all({ channels: channels === undefined ? null : JSON.stringify(channels) }).map((r) => ({ channel: r.channel, entry: r.entry, addedAt: r.added_at }));
  }

  count(): number {
    return this.countStmt.get()!.n;
  }

  /** Adds a channel file with its versions. Call inside a transaction. */
  create(channel: ChannelDoc): void {
    this.insertStmt.run(channel.file, channel.name, extraJson(channel.extra));
    const at = this.now().getTime();
    channel.versions.forEach((v, i) => this.insertVersionStmt.run(channel.file, i, v, at));
  }

  /** Deletes a channel file and its versions; returns whether it existed. */
  delete(file: string): boolean {
    return this.deleteStmt.run(file).changes > 0;
  }

  /** Appends a version at the end of a channel's list. */
  appendVersion(file: string, version: string): void {
    this.appendVersionStmt.run({ file, version, at: this.now().getTime() });
  }

  /** Removes every occurrence of a version (exact text) from a channel's list; returns how many were removed. */
  removeVersion(file: string, version: string): number {
    return this.removeVersionStmt.run(file, version).changes;
  }

  /**
   * Makes the tables hold exactly `channels`. Call inside a transaction. A (channel name, entry) listed before keeps
   * its time (an import, a seed or a replica's sync replaces every channel, but a version listed for a week stays
   * listed for a week); new ones get now. Only the channel files that differ are rewritten: a replica's sync replaces
   * the primary's whole snapshot when one channel changed, and rewriting all ~12,000 rows at upstream scale took
   * about 170 ms of its build worker per sync. `known` (Store.replaceAll) is what the tables hold, as the frozen
   * channels last written: then they are not read, and a channel that is one of them is not even compared.
   */
  replaceAll(channels: readonly ChannelDoc[], known?: readonly ChannelDoc[]): void {
    const stored = new Map((known ?? this.list()).map((c) => [c.file, c]));
    const wanted = new Set(channels.map((c) => c.file));
    // Channels are rewritten by name: a version's time is the earliest of every file of its channel.
    const dirty = new Set<string>();
    for (const [file, { name }] of stored) if (!wanted.has(file)) dirty.add(name);
    const seen = new Set<string>();
    for (const c of channels) {
      const was = stored.get(c.file);
      if (seen.has(c.file) || (was !== c && (was === undefined || channelText(was) !== channelText(c)))) {
        dirty.add(c.name);
        if (was) dirty.add(was.name);
      }
      seen.add(c.file);
    }
    if (dirty.size === 0) return;
    const since = new Map(this.listings([...dirty]).map((l) => [listingKey(l.channel, l.entry), l.addedAt]));
    const at = this.now().getTime();
    for (const [file, { name }] of stored) if (!wanted.has(file) || dirty.has(name)) this.deleteStmt.run(file);
    // A file given twice is inserted twice and fails on the primary key, as a full rewrite did.
    for (const c of channels) {
      if (!dirty.has(c.name)) continue;
      this.insertStmt.run(c.file, c.name, extraJson(c.extra));
      c.versions.forEach((v, i) => this.insertVersionStmt.run(c.file, i, v, since.get(listingKey(c.name, v)) ?? at));
    }
  }
}

/** What replaceAll compares: everything a channel file holds. */
const channelText = (c: ChannelDoc): string => JSON.stringify([c.name, extraJson(c.extra), c.versions]);

const listingKey = (channel: string, entry: string): string => `${channel}\u0000${entry}`;

/** Absent and empty extras are the same thing: stored as NULL, read back as absent. */
export function extraJson(extra: Record<string, unknown> | undefined): string | null {
  return extra && Object.keys(extra).length > 0 ? JSON.stringify(extra) : null;
}
