// The SQLite store: migrations (idempotent, user_version), WAL, round trip of every field, transactions, audit.
import t from 'tap';
import { tempTree } from './helpers/temp-tree.js';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openStore, type GraphInput } from '../src/store/index.js';
import { migrations } from '../src/store/migrations/index.js';

const digest = (c: string): string => `sha256:${c.repeat(64)}`;

const input: GraphInput = {
  releases: [
    { version: '4.9.0-rc.6', arch: 'arm64', payload: `r.example/x@${digest('1')}`, digest: digest('1'), metadata: {}, previous: [], next: [] },
    {
      version: '4.9.15', arch: 'arm64', payload: `r.example/x@${digest('2')}`, digest: null,
      metadata: { url: 'https://e.x/4.9.15', description: 'ünïcode, "quotes"' }, previous: ['4.9.0-rc.6'], next: ['4.9.16'],
    },
    { version: '0.0.0', arch: null, payload: `r.example/x@${digest('3')}`, digest: digest('4'), metadata: {}, previous: [], next: [] },
  ],
  graphData: {
    schemaVersion: '1.2.0',
    rawMetadata: [['4.9.15', { b: '2', a: '1' }], ['4.1.0', { c: '3' }]],
    blockedEdges: [{ file: 'a.yaml', to: '4.9.15', from: '^4\\.9\\.0-rc\\.6[+]' }],
    conditionalEdges: [{
      file: 'b.yaml', to: '4.9.15', from: '.*',
      risk: { url: 'https://e.x/kb', name: 'R', message: 'm\nm2', matchingRules: [{ type: 'PromQL', promql: { promql: 'x' } }, { type: 'Always' }] },
      extra: { fixedIn: '4.9.16', nested: { list: [1, 'two', null] } },
    }],
    channels: [
      { file: 'fast-4.9.yaml', name: 'fast-4.9', versions: ['4.9.15', '4.9.0-rc.6+arm64'], extra: { feeder: { delay: 'PT48H' } } },
      { file: 'candidate-4.9.yaml', name: 'candidate-4.9', versions: [] },
    ],
  },
};

/** What loadGraphInput must return: lists in file-name order. */
const expected: GraphInput = {
  releases: [input.releases[2]!, input.releases[0]!, input.releases[1]!],
  graphData: { ...input.graphData, channels: [input.graphData.channels[1]!, input.graphData.channels[0]!] },
};

t.test('a new store is migrated, in WAL mode, empty; reopening applies nothing twice', async (t) => {
  const file = path.join(tempTree(t), 'nested/dir/kus.db');
  const store = openStore(file);
  t.equal(store.file, file);
  t.ok(store.isEmpty());
  t.same(store.loadGraphInput(), {
    releases: [],
    graphData: { schemaVersion: '1.0.0', rawMetadata: [], blockedEdges: [], conditionalEdges: [], channels: [] },
  });
  store.replaceAll(input);
  store.close();

  const again = openStore(file);
  t.same(again.loadGraphInput(), expected, 'data survives a reopen (migrations not re-run)');
  again.close();

  const raw = new Database(file, { readonly: true });
  t.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
  t.equal(raw.pragma('user_version', { simple: true }), migrations[migrations.length - 1]!.version, 'every migration applied (numbers may skip: branches reserve theirs)');
  const tables = raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
  // Later migrations add tables of their own; these are the ones of migrations 001 and 002.
  for (const table of ['audit', 'blocked_edges', 'channel_versions', 'channels', 'conditional_edges', 'meta', 'raw_metadata', 'releases', 'tokens']) {
    t.ok(tables.includes(table), `table ${table} exists`);
  }
  raw.close();
});

t.test('round trip of every field, lists in file-name order', async (t) => {
  const store = openStore(path.join(tempTree(t), 'kus.db'));
  t.teardown(() => store.close());
  store.replaceAll(input);
  t.notOk(store.isEmpty());
  t.same(store.loadGraphInput(), expected);
  t.same(store.loadGraphInput().graphData.rawMetadata, [['4.9.15', { b: '2', a: '1' }], ['4.1.0', { c: '3' }]], 'raw metadata order kept');
  t.same(Object.keys(store.loadGraphInput().graphData.rawMetadata[0]![1]), ['b', 'a'], 'key order kept');
});

t.test('replaceAll replaces everything and keeps created_at of releases that stay', async (t) => {
  let clock = new Date('2024-01-01T00:00:00Z');
  const file = path.join(tempTree(t), 'kus.db');
  const store = openStore(file, { now: () => clock });
  store.replaceAll(input);
  clock = new Date('2024-02-01T00:00:00Z');
  const smaller: GraphInput = {
    releases: [input.releases[1]!, { ...input.releases[0]!, version: '4.9.1' }],
    graphData: { schemaVersion: '1.1.0', rawMetadata: [], blockedEdges: [], conditionalEdges: [], channels: [input.graphData.channels[1]!] },
  };
  store.replaceAll(smaller);
  t.same(store.loadGraphInput(), { ...smaller, releases: [smaller.releases[1]!, smaller.releases[0]!] });
  store.close();
  const raw = new Database(file, { readonly: true });
  t.same(raw.prepare('SELECT version, created_at FROM releases ORDER BY version').all(), [
    { version: '4.9.1', created_at: '2024-02-01T00:00:00.000Z' },
    { version: '4.9.15', created_at: '2024-01-01T00:00:00.000Z' },
  ]);
  t.equal(raw.prepare('SELECT count(*) FROM channel_versions').pluck().get(), 0, 'versions of deleted channels cascade away');
  raw.close();
});

t.test('replaceAll writes only what differs, and the result equals a full rewrite', async (t) => {
  let clock = new Date('2024-01-01T00:00:00Z');
  const file = path.join(tempTree(t), 'kus.db');
  const store = openStore(file, { now: () => clock });
  t.teardown(() => store.close());
  store.replaceAll(input);
  const raw = new Database(file, { readonly: true });
  t.teardown(() => raw.close());
  const rows = (table: string): unknown[] => raw.prepare(`SELECT rowid, * FROM ${table} ORDER BY rowid`).all();
  const tables = ['releases', 'channels', 'channel_versions', 'blocked_edges', 'conditional_edges'];
  const snapshot = (): unknown[][] => tables.map(rows);

  // The same input again: no row is written, so the change counter (moved by a trigger on every row) stays.
  const before = snapshot();
  const counter = store.graphInputChanges();
  clock = new Date('2024-02-01T00:00:00Z');
  store.replaceAll(structuredClone(input));
  t.equal(store.graphInputChanges(), counter, 'the same input writes no row');
  t.same(snapshot(), before, 'every row, rowid and time as it was');

  // One release's metadata, one channel's list and one risk's message change: three files' rows, nothing else.
  const changed: GraphInput = structuredClone(input);
  changed.releases[1]!.metadata = { url: 'https://e.x/4.9.15-errata' };
  changed.graphData.channels[0]!.versions = ['4.9.15', '4.9.0-rc.6+arm64', '0.0.0'];
  changed.graphData.conditionalEdges[0]!.risk.message = 'changed';
  store.replaceAll(changed);
  const after = snapshot();
  t.same(after[0]!.filter((r, i) => JSON.stringify(r) !== JSON.stringify(before[0]![i])).map((r) => (r as { version: string }).version), ['4.9.15'],
    'one release row updated in place');
  t.same(after[1], before[1]!.filter((r) => (r as { file: string }).file !== 'fast-4.9.yaml').concat(after[1]!.filter((r) => (r as { file: string }).file === 'fast-4.9.yaml')),
    'the other channel row is untouched');
  t.same(after[3], before[3], 'the unchanged blocked edge is untouched');
  t.same(store.loadGraphInput(), { ...expected, releases: [changed.releases[2]!, changed.releases[0]!, changed.releases[1]!],
    graphData: { ...changed.graphData, channels: [changed.graphData.channels[1]!, changed.graphData.channels[0]!] } });
  const added = raw.prepare("SELECT v.version, v.added_at FROM channel_versions v WHERE v.channel_file = 'fast-4.9.yaml' ORDER BY position").all();
  t.same(added, [
    { version: '4.9.15', added_at: Date.parse('2024-01-01T00:00:00Z') },
    { version: '4.9.0-rc.6+arm64', added_at: Date.parse('2024-01-01T00:00:00Z') },
    { version: '0.0.0', added_at: Date.parse('2024-02-01T00:00:00Z') },
  ], 'a rewritten channel keeps the times of the versions it listed before');

  // A blocked edge that becomes a risk under the same file name, and a channel file renamed: replaced, not doubled.
  const swapped: GraphInput = structuredClone(changed);
  swapped.graphData.conditionalEdges.push({ ...structuredClone(input.graphData.conditionalEdges[0]!), file: 'a.yaml' });
  swapped.graphData.blockedEdges = [];
  swapped.graphData.channels[1] = { ...swapped.graphData.channels[1]!, name: 'candidate-4.10' };
  store.replaceAll(swapped);
  const loaded = store.loadGraphInput();
  t.same(loaded.graphData.blockedEdges, []);
  t.same(loaded.graphData.conditionalEdges.map((e) => e.file), ['a.yaml', 'b.yaml']);
  t.same(loaded.graphData.channels.map((c) => c.name), ['candidate-4.10', 'fast-4.9']);
});

t.test('a failing replaceAll changes nothing', async (t) => {
  const store = openStore(path.join(tempTree(t), 'kus.db'));
  t.teardown(() => store.close());
  store.replaceAll(input);
  const before = store.loadGraphInput();
  const duplicate = { ...input, releases: [input.releases[0]!, input.releases[0]!] };
  t.throws(() => store.replaceAll(duplicate), /UNIQUE/);
  const clash = { ...input, graphData: { ...input.graphData, blockedEdges: [{ file: 'b.yaml', to: '1.0.0', from: '.*' }] } };
  t.throws(() => store.replaceAll(clash), /already used/);
  t.same(store.loadGraphInput(), before);
});

t.test('transaction rolls back on throw; audit rows round-trip', async (t) => {
  const store = openStore(path.join(tempTree(t), 'kus.db'), { now: () => new Date('2024-03-01T00:00:00Z') });
  t.teardown(() => store.close());
  t.throws(() => store.transaction(() => {
    store.replaceAll(input);
    store.audit.append({ actor: 'x', action: 'y' });
    throw new Error('boom');
  }), /boom/);
  t.ok(store.isEmpty());
  t.same(store.audit.list(), []);
  const id = store.audit.append({ actor: 'cli', action: 'graph-data.import', target: 'dir', before: null, after: { releases: 3 } });
  t.same(store.audit.list(), [{
    id, at: '2024-03-01T00:00:00.000Z', actor: 'cli', action: 'graph-data.import', target: 'dir', before: null, after: { releases: 3 }, outcome: 'ok', error: null,
  }]);
  t.ok(store.isEmpty(), 'audit rows do not make a store non-empty');
});

t.test('a store from a newer KUS is refused', async (t) => {
  const file = path.join(tempTree(t), 'kus.db');
  const raw = new Database(file);
  raw.pragma('user_version = 99');
  raw.close();
  t.throws(() => openStore(file), { code: 'KUS_ERR_STORE', message: /schema version 99/ });
});
