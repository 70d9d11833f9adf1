// When each edge was first served, as the store keeps it since migration 014: one row per (channel, arch, target,
// time) listing the sources. Checked on real SQLite files: first time wins, new edges of a known target get a row of
// their own time, sources match as whole versions, channelOffers lists every edge once, and a store migrated from
// one row per edge keeps every edge's time.
import t from 'tap';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../src/store/index.js';
import { migrate } from '../src/store/migrate.js';
import { migrations } from '../src/store/migrations/index.js';
import { writePolls } from './helpers/fleet-polls.js';
import { tempTree } from './helpers/temp-tree.js';

const H = 3600_000;
const T0 = Date.UTC(2026, 0, 1);

type OfferRow = { channel: string; arch: string; to: string; at: number; froms: string };

function rowsOf(file: string): OfferRow[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(`SELECT channel, arch, to_version AS "to", first_served AS at, from_versions AS froms FROM fleet_target_offers
      ORDER BY channel, arch, to_version, first_served`).all() as OfferRow[];
  } finally {
    db.close();
  }
}

/** Sources of a row as a sorted list (their order in the row is not part of the contract). */
const sorted = (rows: OfferRow[]) => rows.map((r) => ({ ...r, froms: r.froms.split(' ').sort().join(' ') }));

t.test('notes group the new edges of a target by time; an edge keeps its first time', async (t) => {
  const file = path.join(tempTree(t), 'kus.db');
  const store = openStore(file);
  t.teardown(() => store.close());
  const fleet = store.fleet;
  t.equal(fleet.recordBodyOffers('stable-1', 'amd64', 'd1', [['1.0.0', '1.2.0'], ['1.1.0', '1.2.0'], ['1.0.0', '1.1.0']], T0), 3, 'three new edges');
  t.same(sorted(rowsOf(file)), [
    { channel: 'stable-1', arch: 'amd64', to: '1.1.0', at: T0, froms: '1.0.0' },
    { channel: 'stable-1', arch: 'amd64', to: '1.2.0', at: T0, froms: '1.0.0 1.1.0' },
  ], 'one row per target: the edges into 1.2.0 share one');
  t.equal(fleet.recordBodyOffers('stable-1', 'amd64', 'd2', [['1.0.0', '1.2.0'], ['1.1.0', '1.2.0'], ['1.0.0', '1.1.0']], T0 + H), 0, 'the same edges again: none new');
  t.equal(fleet.recordBodyOffers('stable-1', 'amd64', 'd3', [['1.0.1', '1.2.0'], ['1.1.0', '1.2.0'], ['1.0.1', '1.2.0']], T0 + 2 * H), 1, 'one new source of 1.2.0 (listed twice in the body), one known');
  t.equal(fleet.recordBodyOffers('stable-1', 'amd64', 'd4', [['1.0.2', '1.2.0']], T0 + 2 * H), 1, 'another source at the same time');
  t.same(sorted(rowsOf(file)), [
    { channel: 'stable-1', arch: 'amd64', to: '1.1.0', at: T0, froms: '1.0.0' },
    { channel: 'stable-1', arch: 'amd64', to: '1.2.0', at: T0, froms: '1.0.0 1.1.0' },
    { channel: 'stable-1', arch: 'amd64', to: '1.2.0', at: T0 + 2 * H, froms: '1.0.1 1.0.2' },
  ], 'the later sources in a row of their own time, merged when noted at the same time; the first row unchanged');
  t.same(fleet.offerBodyDigests(), new Map([['amd64\u0000stable-1', 'd4']]), 'the last noted digest of the body');

  t.equal(fleet.recordBodyOffers('stable-1', 'arm64', 'a1', [['1.0.0', '1.2.0']], T0 + 3 * H), 1, 'the same edge in another arch is its own');
  t.equal(fleet.recordBodyOffers('fast-1', 'amd64', 'f1', [['1.0.0', '1.2.0']], T0 + 3 * H), 1, 'and in another channel');
  const key = (e: { from: string; to: string }) => `${e.from}>${e.to}`;
  t.same(fleet.channelOffers('stable-1').map(key).sort(), ['1.0.0>1.1.0', '1.0.0>1.2.0', '1.0.1>1.2.0', '1.0.2>1.2.0', '1.1.0>1.2.0'],
    'every edge of the channel once, whatever its arches and rows');
  t.same(fleet.channelOffers('fast-1').map(key), ['1.0.0>1.2.0'], 'only the channel asked for');
  t.same(fleet.channelOffers('none'), [], 'a channel never served has none');
});

t.test('an update takes its offer time from the row that lists its source as a whole version', async (t) => {
  const store = openStore(path.join(tempTree(t), 'kus.db'));
  t.teardown(() => store.close());
  const flush = (polls: Array<[id: number, version: string, at: number]>): void => writePolls(store, polls, 'stable-1');
  // Sources that contain another's text: 1.1.0 is inside 11.1.0 and 1.1.0-rc.1, and 1.1.0 is only noted later.
  store.fleet.recordBodyOffers('stable-1', 'amd64', 'd1', [['11.1.0', '2.0.0'], ['1.1.0-rc.1', '2.0.0'], ['1.0.0', '2.0.0']], T0);
  store.fleet.recordBodyOffers('stable-1', 'amd64', 'd2', [['1.1.0', '2.0.0']], T0 + 5 * H);
  flush([[1, '1.1.0', T0 - H], [2, '1.0.0', T0 - H], [3, '1.2.0', T0 - H]]);
  flush([[1, '2.0.0', T0 + 6 * H], [2, '2.0.0', T0 + 6 * H], [3, '2.0.0', T0 + 6 * H]]);
  t.same(store.fleet.updateDurations(0).map((d) => [d.from, d.took]).sort(), [['1.0.0', 6 * H], ['1.1.0', H]],
    '1.1.0 → 2.0.0 was offered at 05:00 (its own row, not 11.1.0\'s or 1.1.0-rc.1\'s at 00:00); 1.2.0 → 2.0.0 was never offered');
});

t.test('migration 014 groups a store\'s edge rows and keeps every edge\'s first time', async (t) => {
  const file = path.join(tempTree(t), 'kus.db');
  const db = new Database(file);
  migrate(db, file, migrations.filter((m) => m.version <= 13));
  const insert = db.prepare('INSERT INTO fleet_offers (channel, arch, from_version, to_version, first_served) VALUES (?, ?, ?, ?, ?)');
  const old: Array<[string, string, string, string, number]> = [
    ['stable-1', 'amd64', '1.0.0', '1.2.0', T0],
    ['stable-1', 'amd64', '1.1.0', '1.2.0', T0],
    ['stable-1', 'amd64', '1.0.1', '1.2.0', T0 + H],
    ['stable-1', 'amd64', '1.0.0', '1.1.0', T0],
    ['stable-1', 'arm64', '1.0.0', '1.2.0', T0 + 2 * H],
    ['fast-1', 'amd64', '1.0.0', '1.2.0', T0],
  ];
  for (const row of old) insert.run(...row);
  t.equal(migrate(db, file), migrations[migrations.length - 1]!.version, 'migrated to the newest version');
  t.equal((db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'fleet_offers'").get() as { n: number }).n, 0, 'the per-edge table is gone');
  t.equal(db.pragma('freelist_count', { simple: true }), 0, 'and the store was rewritten without its pages');
  db.close();
  t.same(sorted(rowsOf(file)), [
    { channel: 'fast-1', arch: 'amd64', to: '1.2.0', at: T0, froms: '1.0.0' },
    { channel: 'stable-1', arch: 'amd64', to: '1.1.0', at: T0, froms: '1.0.0' },
    { channel: 'stable-1', arch: 'amd64', to: '1.2.0', at: T0, froms: '1.0.0 1.1.0' },
    { channel: 'stable-1', arch: 'amd64', to: '1.2.0', at: T0 + H, froms: '1.0.1' },
    { channel: 'stable-1', arch: 'arm64', to: '1.2.0', at: T0 + 2 * H, froms: '1.0.0' },
  ], 'one row per (channel, arch, target, time): 6 edge rows became 5');
  const store = openStore(file);
  t.teardown(() => store.close());
  t.equal(store.fleet.recordBodyOffers('stable-1', 'amd64', 'd', [['1.0.1', '1.2.0'], ['1.1.0', '1.2.0']], T0 + 9 * H), 0, 'edges noted before the migration are known after it');
});
