// Admin tokens on a real store: shown once, only the sha256 kept, verified, revoked, names reusable after revocation;
// scopes (admin, viewer, fleet-report), and tokens of a store made before scopes become admin (migration 005).
import t, { type Test } from 'tap';
import { createHash } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Tokens } from '../src/services/tokens.js';
import { openStore } from '../src/store/index.js';
import { migrate } from '../src/store/migrate.js';
import { migrations } from '../src/store/migrations/index.js';
import { tempTree } from './helpers/temp-tree.js';

const admin = { name: 'local:root' };

function setup(t: Test, now: () => Date = () => new Date()) {
  const file = path.join(tempTree(t), 'kus.db');
  const store = openStore(file);
  t.teardown(() => store.close());
  return { file, store, tokens: new Tokens({ store, now }) };
}

t.test('a created token verifies; the store holds only its sha256', async (t) => {
  const { file, tokens } = setup(t);
  const created = tokens.create(admin, 'ci-publisher');
  t.equal(created.name, 'ci-publisher');
  t.match(created.token, /^kus_[A-Za-z0-9_-]{43}$/);
  t.same(tokens.verify(created.token), { name: 'ci-publisher', scope: 'admin' }, 'admin is the default scope');
  t.equal(tokens.verify(`${created.token}x`), null);
  t.equal(tokens.verify(created.token.slice(0, -1)), null);
  t.equal(tokens.verify(''), null);
  t.equal(tokens.verify('x'.repeat(10_000)), null);

  const raw = new Database(file, { readonly: true });
  t.teardown(() => raw.close());
  const rows = raw.prepare('SELECT * FROM tokens').all() as Array<Record<string, unknown>>;
  t.equal(rows.length, 1);
  t.equal(rows[0]!.hash, createHash('sha256').update(created.token).digest('hex'));
  const dump = JSON.stringify(raw.prepare('SELECT * FROM tokens').all()) + JSON.stringify(raw.prepare('SELECT * FROM audit').all());
  t.notOk(dump.includes(created.token), 'the secret is nowhere in the store');
});

t.test('list, revoke, reuse a revoked name; refusals are audited', async (t) => {
  let clock = new Date('2025-01-01T00:00:00Z');
  const { store, tokens } = setup(t, () => clock);
  const first = tokens.create(admin, 'alice');
  tokens.create(admin, 'bob');
  t.same(tokens.list(), [
    { name: 'alice', scope: 'admin', createdAt: '2025-01-01T00:00:00.000Z', lastUsedAt: null },
    { name: 'bob', scope: 'admin', createdAt: '2025-01-01T00:00:00.000Z', lastUsedAt: null },
  ]);
  t.throws(() => tokens.create(admin, 'alice'), { code: 'KUS_ERR_CONFLICT', message: /a token named "alice" exists already/ });
  t.throws(() => tokens.create(admin, 'no spaces'), { code: 'KUS_ERR_BAD_REQUEST', message: /token name "no spaces"/ });
  t.match(store.audit.list(2), [
    { action: 'token.create', target: 'no spaces', outcome: 'refused', error: { code: 'KUS_ERR_BAD_REQUEST' } },
    { action: 'token.create', target: 'alice', outcome: 'refused', error: { code: 'KUS_ERR_CONFLICT' } },
  ]);

  clock = new Date('2025-01-01T00:00:30Z');
  tokens.verify(first.token);
  clock = new Date('2025-01-01T00:00:50Z');
  tokens.verify(first.token);
  t.equal(tokens.list()[0]!.lastUsedAt, '2025-01-01T00:00:30.000Z', 'last use is refreshed at most once a minute');
  clock = new Date('2025-01-01T00:01:31Z');
  tokens.verify(first.token);
  t.equal(tokens.list()[0]!.lastUsedAt, '2025-01-01T00:01:31.000Z');

  tokens.revoke(admin, 'alice');
  t.equal(tokens.verify(first.token), null, 'a revoked token no longer verifies');
  t.same(tokens.list().map((x) => x.name), ['bob']);
  t.throws(() => tokens.revoke(admin, 'alice'), { code: 'KUS_ERR_NOT_FOUND', message: /no active token named "alice" \(active: bob\)/ });
  t.match(store.audit.list(2), [
    { action: 'token.revoke', target: 'alice', outcome: 'refused', error: { code: 'KUS_ERR_NOT_FOUND' } },
    { action: 'token.revoke', target: 'alice', outcome: 'ok', actor: 'local:root', after: null },
  ]);

  const again = tokens.create(admin, 'alice');
  t.not(again.token, first.token);
  t.same(tokens.verify(again.token), { name: 'alice', scope: 'admin' });
  t.equal(tokens.verify(first.token), null, 'the old secret stays revoked');
});

t.test('scopes: stored, verified, listed; a reused name takes the new scope; a bad scope is refused', async (t) => {
  const { store, tokens } = setup(t);
  const viewer = tokens.create(admin, 'dashboard', 'viewer');
  const replica = tokens.create(admin, 'replica-east', 'fleet-report');
  t.equal(viewer.scope, 'viewer');
  t.same(tokens.verify(viewer.token), { name: 'dashboard', scope: 'viewer' });
  t.same(tokens.verify(replica.token), { name: 'replica-east', scope: 'fleet-report' });
  t.same(tokens.list().map((x) => [x.name, x.scope]), [['dashboard', 'viewer'], ['replica-east', 'fleet-report']]);
  t.match(store.audit.list(1), [{ action: 'token.create', target: 'replica-east', outcome: 'ok', after: { name: 'replica-east', scope: 'fleet-report' } }]);
  t.throws(() => tokens.create(admin, 'x', 'root' as never), { code: 'KUS_ERR_BAD_REQUEST', message: /token scope "root" is not one of admin, viewer, fleet-report/ });
  tokens.revoke(admin, 'dashboard');
  const promoted = tokens.create(admin, 'dashboard');
  t.same(tokens.verify(promoted.token), { name: 'dashboard', scope: 'admin' }, 'the reused row takes the new scope');
});

t.test('migration 005: tokens of a store made before scopes are admin; duplicate fleet updates are folded', async (t) => {
  const file = path.join(tempTree(t), 'old.db');
  const raw = new Database(file);
  migrate(raw, file, migrations.filter((m) => m.version <= 4));
  raw.prepare("INSERT INTO tokens (name, hash, created_at) VALUES ('old', ?, '2024-01-01T00:00:00Z')").run('a'.repeat(64));
  const id = '00000000-0000-4000-8000-000000000001';
  raw.prepare("INSERT INTO fleet_clusters (id, first_seen, last_seen, version, channel, arch) VALUES (?, 1, 2, '4.9.2', 'stable-4.9', 'arm64')").run(id);
  for (let i = 0; i < 2; i++) raw.prepare("INSERT INTO fleet_updates (cluster_id, from_version, to_version, at) VALUES (?, '4.9.1', '4.9.2', 2)").run(id);
  raw.close();
  const store = openStore(file);
  t.teardown(() => store.close());
  t.equal(store.tokens.find('old')?.scope, 'admin');
  t.same(store.fleet.updates(0).map((u) => [u.from, u.to, u.clusters]), [['4.9.1', '4.9.2', 1]]);
  const check = new Database(file, { readonly: true });
  t.teardown(() => check.close());
  t.equal((check.prepare('SELECT count(*) AS n FROM fleet_updates').get() as { n: number }).n, 1, 'the duplicate row is gone');
});
