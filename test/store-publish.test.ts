// Store additions for publishing: migration 002 on an existing store, single-row repository writes, tokens, audit outcome.
import t from 'tap';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../src/store/index.js';
import { migrate } from '../src/store/migrate.js';
import { migrations } from '../src/store/migrations/index.js';
import { tempTree } from './helpers/temp-tree.js';

const release = (version: string, arch: string, n: number) => ({
  version, arch, payload: `r.example/x@sha256:${String(n).padStart(64, '0')}`, digest: `sha256:${String(n).padStart(64, '0')}`,
  metadata: { a: String(n) }, previous: [], next: [],
});

t.test('migration 002 upgrades a store made by migration 001: old audit rows read as ok', async (t) => {
  const file = path.join(tempTree(t), 'kus.db');
  const v1 = new Database(file);
  t.equal(migrate(v1, file, migrations.slice(0, 1)), 1);
  v1.prepare("INSERT INTO audit (at, actor, action) VALUES ('2024-01-01T00:00:00.000Z', 'seed', 'graph-data.import')").run();
  v1.close();

  const store = openStore(file);
  t.teardown(() => store.close());
  t.match(store.audit.list(), [{ actor: 'seed', action: 'graph-data.import', outcome: 'ok', error: null }]);
  store.audit.append({ actor: 'bob', action: 'release.add', target: '4.9.0+amd64', after: { version: '4.9.0' }, outcome: 'refused', error: { code: 'KUS_ERR_CYCLE', message: 'no' } });
  t.match(store.audit.list(1), [{ outcome: 'refused', error: { code: 'KUS_ERR_CYCLE', message: 'no' }, after: { version: '4.9.0' } }]);
  const raw = new Database(file, { readonly: true });
  t.teardown(() => raw.close());
  t.throws(() => raw.prepare("INSERT INTO audit (at, actor, action, outcome) VALUES ('x', 'y', 'z', 'maybe')").run());
});

t.test('releases: find, upsert keeps created_at, delete', async (t) => {
  let clock = new Date('2024-01-01T00:00:00Z');
  const file = path.join(tempTree(t), 'kus.db');
  const store = openStore(file, { now: () => clock });
  t.teardown(() => store.close());
  store.releases.upsert(release('4.9.0', 'amd64', 1));
  store.releases.upsert(release('4.9.0', 'arm64', 2));
  t.same(store.releases.find('4.9.0', 'arm64'), release('4.9.0', 'arm64', 2));
  t.equal(store.releases.find('4.9.0', 's390x'), undefined);
  clock = new Date('2024-02-01T00:00:00Z');
  store.releases.upsert({ ...release('4.9.0', 'arm64', 2), metadata: { b: 'c' } });
  t.same(store.releases.find('4.9.0', 'arm64')?.metadata, { b: 'c' });
  const raw = new Database(file, { readonly: true });
  t.teardown(() => raw.close());
  t.equal(raw.prepare("SELECT created_at FROM releases WHERE arch = 'arm64'").pluck().get(), '2024-01-01T00:00:00.000Z');
  t.equal(store.releases.delete('4.9.0', 'arm64'), true);
  t.equal(store.releases.delete('4.9.0', 'arm64'), false);
  t.same(store.releases.list().map((r) => r.arch), ['amd64']);
});

t.test('channels, edges and raw metadata: single writes keep the order loadGraphInput reports', async (t) => {
  const store = openStore(path.join(tempTree(t), 'kus.db'));
  t.teardown(() => store.close());
  store.channels.create({ file: 'stable-4.9.yaml', name: 'stable-4.9', versions: ['4.9.0'] });
  store.channels.appendVersion('stable-4.9.yaml', '4.9.1');
  store.channels.appendVersion('stable-4.9.yaml', '4.9.2');
  t.equal(store.channels.removeVersion('stable-4.9.yaml', '4.9.1'), 1);
  store.channels.appendVersion('stable-4.9.yaml', '4.9.3');
  t.same(store.channels.list(), [{ file: 'stable-4.9.yaml', name: 'stable-4.9', versions: ['4.9.0', '4.9.2', '4.9.3'] }]);
  t.equal(store.channels.delete('stable-4.9.yaml'), true);
  t.equal(store.channels.delete('stable-4.9.yaml'), false);

  store.edges.insertBlocked({ file: '4.9.1.yaml', to: '4.9.1', from: 'a' });
  t.equal(store.edges.setBlockedFrom('4.9.1.yaml', 'a|b'), true);
  t.same(store.edges.listBlocked(), [{ file: '4.9.1.yaml', to: '4.9.1', from: 'a|b' }]);
  const risk = { url: 'https://x.example', name: 'R', message: 'm', matchingRules: [{ type: 'Always' }] };
  t.throws(() => store.edges.insertConditional({ file: '4.9.1.yaml', to: '4.9.1', from: '.*', risk }), /already used/);
  store.edges.insertConditional({ file: '4.9.1-r.yaml', to: '4.9.1', from: '.*', risk });
  t.same(store.edges.listConditional(), [{ file: '4.9.1-r.yaml', to: '4.9.1', from: '.*', risk }]);
  t.equal(store.edges.deleteFile('4.9.1-r.yaml'), true);
  t.equal(store.edges.deleteFile('4.9.1.yaml'), true);
  t.equal(store.edges.deleteFile('4.9.1.yaml'), false);
  t.equal(store.edges.count(), 0);

  store.rawMetadata.set('4.9.0', 'x', '1');
  store.rawMetadata.set('4.9.1', 'y', '2');
  store.rawMetadata.set('4.9.0', 'z', '3');
  store.rawMetadata.set('4.9.0', 'x', '4');
  t.same(store.rawMetadata.list(), [['4.9.0', { x: '4', z: '3' }], ['4.9.1', { y: '2' }]]);
  t.same(Object.keys(store.rawMetadata.list()[0]![1]), ['x', 'z'], 'a changed value keeps its place, a new key goes last');
  t.equal(store.rawMetadata.delete('4.9.0', 'x'), true);
  t.equal(store.rawMetadata.delete('4.9.0', 'x'), false);
  t.same(store.rawMetadata.list(), [['4.9.1', { y: '2' }], ['4.9.0', { z: '3' }]]);
});

t.test('tokens: one active token per name, revoked rows kept, a revoked name reusable', async (t) => {
  const store = openStore(path.join(tempTree(t), 'kus.db'));
  t.teardown(() => store.close());
  const hash = (c: string) => c.repeat(64);
  t.equal(store.tokens.create({ name: 'a', hash: hash('1'), createdAt: 't1' }), true);
  t.equal(store.tokens.create({ name: 'a', hash: hash('2'), createdAt: 't2' }), false);
  t.equal(store.tokens.find('a')?.hash, hash('1'));
  store.tokens.touch('a', 't3');
  t.equal(store.tokens.revoke('a', 't4'), true);
  t.equal(store.tokens.revoke('a', 't5'), false);
  t.match(store.tokens.list(), [{ name: 'a', lastUsedAt: 't3', revokedAt: 't4' }]);
  t.same(store.tokens.active(), []);
  t.equal(store.tokens.create({ name: 'a', hash: hash('3'), createdAt: 't6' }), true);
  t.same(store.tokens.active(), [{ name: 'a', hash: hash('3'), scope: 'admin', createdAt: 't6', lastUsedAt: null, revokedAt: null }]);
  t.throws(() => store.tokens.create({ name: 'b', hash: hash('3'), createdAt: 't7' }), /UNIQUE/, 'a hash belongs to one token');
});

t.test('writeTransaction rolls back on throw', async (t) => {
  const store = openStore(path.join(tempTree(t), 'kus.db'));
  t.teardown(() => store.close());
  t.throws(() => store.writeTransaction(() => {
    store.channels.create({ file: 'a-1.yaml', name: 'a-1', versions: [] });
    throw new Error('boom');
  }), /boom/);
  t.equal(store.channels.count(), 0);
});
