// Promotion policies (issue 13) on a real SQLite store and the real Publisher, with an injected clock: they fire when
// a version has been listed in the source long enough and not before, skip versions with a risk or a block declared
// against them, promote once (idempotent, and a removal by hand sticks), go through the Publisher's refusals, and
// leave audit rows for the policy and each promotion.
import t, { type Test } from 'tap';
import path from 'node:path';
import Database from 'better-sqlite3';
import { KusError } from '../src/errors/index.js';
import { PromotionPolicies, promotionCandidates, declaredAgainst } from '../src/services/policies/index.js';
import { Publisher, type Actor } from '../src/services/publisher.js';
import { openStore, type Store } from '../src/store/index.js';
import { migrate } from '../src/store/migrate.js';
import { migrations } from '../src/store/migrations/index.js';
import { payload } from './helpers/admin-app.js';
import { tempTree } from './helpers/temp-tree.js';

const alice: Actor = { name: 'alice' };
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-12-01T08:00:00Z');

interface Fixture {
  store: Store;
  publisher: Publisher;
  policies: PromotionPolicies;
  clock: { now: number };
  refuse: { next: KusError | undefined };
}

function fixture(t: Test): Fixture {
  const clock = { now: T0 };
  const now = (): Date => new Date(clock.now);
  const store = openStore(path.join(tempTree(t), 'kus.db'), { now });
  t.teardown(() => store.close());
  const refuse: Fixture['refuse'] = { next: undefined };
  // checkWrite is the hook `kus serve --require-signatures` uses to refuse a write after its trial build.
  const publisher = new Publisher({ store, rebuild: () => ({ ok: true }), checkWrite: () => {
    if (refuse.next) throw refuse.next;
  } });
  const policies = new PromotionPolicies({ store, publisher, now, retryMs: HOUR });
  publisher.createChannel(alice, 'candidate-4.9');
  publisher.createChannel(alice, 'fast-4.9');
  publisher.addRelease(alice, { version: '4.9.0', arch: 'amd64', payload: payload(1), channels: ['candidate-4.9', 'fast-4.9'] });
  return { store, publisher, policies, clock, refuse };
}

const fastVersions = (f: Fixture): string[] => f.publisher.listChannels().find((c) => c.name === 'fast-4.9')!.versions;
const statusOf = (f: Fixture, version: string): string | undefined => f.policies.list()[0]?.candidates.find((c) => c.version === version)?.status;

t.test('a version is promoted once it has been listed in the source for the delay, not a second before', async (t) => {
  const f = fixture(t);
  f.policies.set(alice, { target: 'fast-4.9', source: 'candidate-4.9', after: '7d' });
  f.clock.now = T0 + HOUR;
  f.publisher.addRelease(alice, { version: '4.9.1', arch: 'amd64', payload: payload(2), previous: ['4.9.0'], channels: ['candidate-4.9'] });
  t.same(f.store.channels.listings(['candidate-4.9']).map((l) => [l.entry, l.addedAt]), [['4.9.0', T0], ['4.9.1', T0 + HOUR]], 'the listing time is the store clock at the write');

  f.clock.now = T0 + HOUR + 7 * DAY - 1;
  t.same(await f.policies.run(), [], 'one millisecond early: nothing');
  t.same(fastVersions(f), ['4.9.0']);
  t.equal(statusOf(f, '4.9.1'), 'waiting');
  t.equal(f.policies.list()[0]!.candidates[0]!.dueAt, new Date(T0 + HOUR + 7 * DAY).toISOString());

  f.clock.now = T0 + HOUR + 7 * DAY;
  t.same(await f.policies.run(), [{ target: 'fast-4.9', source: 'candidate-4.9', version: '4.9.1', outcome: 'promoted' }]);
  t.same(fastVersions(f), ['4.9.0', '4.9.1'], 'promoted through the Publisher');
  const [promote, add] = f.store.audit.list(2);
  t.match(add, { actor: 'policy:candidate-4.9->fast-4.9', action: 'channel.add', target: 'fast-4.9 4.9.1', outcome: 'ok' }, 'the channel write is audited as the policy');
  t.match(promote, {
    actor: 'policy:candidate-4.9->fast-4.9', action: 'policy.promote', target: 'fast-4.9 4.9.1', outcome: 'ok',
    before: { channel: 'candidate-4.9', version: '4.9.1', listedSince: new Date(T0 + HOUR).toISOString(), afterSeconds: 7 * 86400 },
    after: { channel: 'fast-4.9', version: '4.9.1', at: new Date(T0 + HOUR + 7 * DAY).toISOString(), rolloutSeconds: null },
  }, 'the promotion is audited with why');
  t.equal(f.policies.stats.promoted, 1);

  const auditRows = f.store.audit.list(1000).length;
  f.clock.now += DAY;
  t.same(await f.policies.run(), [], 'idempotent: a second run promotes nothing');
  t.equal(f.store.audit.list(1000).length, auditRows, 'and audits nothing');

  f.publisher.removeFromChannel(alice, 'fast-4.9', '4.9.1');
  t.same(await f.policies.run(), [], 'a version removed from the target by hand is not promoted again');
  t.same(fastVersions(f), ['4.9.0']);
  t.equal(statusOf(f, '4.9.1'), 'promoted');
});

t.test('a risk or a block declared against a version holds it; removing the declaration releases it', async (t) => {
  const f = fixture(t);
  f.publisher.addRelease(alice, { version: '4.9.1', arch: 'amd64', payload: payload(2), previous: ['4.9.0'], channels: ['candidate-4.9'] });
  f.publisher.addRelease(alice, { version: '4.9.2', arch: 'amd64', payload: payload(3), previous: ['4.9.1'], channels: ['candidate-4.9'] });
  f.publisher.addRelease(alice, { version: '4.9.3', arch: 'amd64', payload: payload(4), previous: ['4.9.2'], channels: ['candidate-4.9'] });
  const risk = f.publisher.addRisk(alice, { to: '4.9.1', from: '.*', url: 'https://bugs.example/1', name: 'EtcdSlow', message: 'etcd is slow', matchingRules: [{ type: 'Always' }] });
  f.publisher.blockEdge(alice, { to: '4.9.2', fromVersion: '4.9.0' });
  // A rule out of 4.9.3 (4.9.3 matches its from) is not a declaration against 4.9.3.
  f.publisher.blockEdge(alice, { to: '4.9.0', from: '^4[.]9[.]3[+].*$' });
  f.policies.set(alice, { target: 'fast-4.9', source: 'candidate-4.9', after: '2d' });
  f.clock.now = T0 + 3 * DAY;
  t.same((await f.policies.run()).map((r) => r.version), ['4.9.3'], 'only the version nothing is declared against');
  t.same(fastVersions(f), ['4.9.0', '4.9.3']);
  const candidates = f.policies.list()[0]!.candidates;
  t.match(candidates.find((c) => c.version === '4.9.1'), { status: 'held', reason: new RegExp(`risk ${risk.value.file}`) });
  t.match(candidates.find((c) => c.version === '4.9.2'), { status: 'held', reason: /blocked edge .* \(to 4\.9\.2\)/ });

  f.publisher.removeEdge(alice, risk.value.file);
  t.same((await f.policies.run()).map((r) => r.version), ['4.9.1'], 'released once the risk is gone');
  t.equal(statusOf(f, '4.9.2'), 'held');
});

t.test('a promotion the Publisher refuses is audited as refused and tried again after the retry delay only', async (t) => {
  const f = fixture(t);
  f.publisher.addRelease(alice, { version: '4.9.1', arch: 'amd64', payload: payload(2), previous: ['4.9.0'], channels: ['candidate-4.9'] });
  f.policies.set(alice, { target: 'fast-4.9', source: 'candidate-4.9', after: '1d' });
  f.clock.now = T0 + DAY;
  f.refuse.next = new KusError('KUS_ERR_UNSIGNED', '4.9.1 is not signed by every active key');
  const [report] = await f.policies.run();
  t.match(report, { version: '4.9.1', outcome: 'refused', error: 'KUS_ERR_UNSIGNED: 4.9.1 is not signed by every active key' });
  t.same(fastVersions(f), ['4.9.0'], 'nothing promoted');
  t.match(f.store.audit.list(1)[0], { actor: 'policy:candidate-4.9->fast-4.9', action: 'channel.add', outcome: 'refused', error: { code: 'KUS_ERR_UNSIGNED' } });
  t.equal(statusOf(f, '4.9.1'), 'refused');

  f.refuse.next = undefined;
  f.clock.now += HOUR - 1;
  t.same(await f.policies.run(), [], 'not retried before the retry delay');
  f.clock.now += 1;
  t.match(await f.policies.run(), [{ version: '4.9.1', outcome: 'promoted' }], 'retried after it');
  t.same(fastVersions(f), ['4.9.0', '4.9.1']);
});

t.test('setting and removing a policy: validated, audited, a change of delay keeps the creation time', async (t) => {
  const f = fixture(t);
  const set = f.policies.set(alice, { target: 'fast-4.9', source: 'candidate-4.9', after: '7d' });
  t.same(set.value, { target: 'fast-4.9', source: 'candidate-4.9', afterSeconds: 604800, rolloutSeconds: null, createdAt: new Date(T0).toISOString() });
  t.match(f.store.audit.list(1)[0], { actor: 'alice', action: 'policy.set', target: 'candidate-4.9->fast-4.9', before: null, after: set.value });
  t.equal(f.policies.set(alice, { target: 'fast-4.9', source: 'candidate-4.9', after: '7d' }).changed, false, 'the same policy again changes nothing');
  f.clock.now = T0 + DAY;
  const changed = f.policies.set(alice, { target: 'fast-4.9', source: 'candidate-4.9', after: '3d' });
  t.same([changed.value.afterSeconds, changed.value.createdAt], [259200, new Date(T0).toISOString()]);

  t.throws(() => f.policies.set(alice, { target: 'fast-4.9', source: 'nope-4.9', after: '7d' }), { code: 'KUS_ERR_NOT_FOUND', message: /channel "nope-4.9" does not exist/ });
  t.throws(() => f.policies.set(alice, { target: 'fast-4.9', source: 'candidate-4.9', after: 'soon' }), { code: 'KUS_ERR_BAD_REQUEST', message: /after "soon" is not a duration/ });
  t.throws(() => f.policies.set(alice, { target: 'fast-4.9', source: 'fast-4.9', after: '7d' }), { code: 'KUS_ERR_BAD_REQUEST', message: /is the target itself/ });
  t.throws(() => f.policies.set(alice, { target: 'fast-4.9', source: 'candidate-4.9', after: '7d', rollout: '48h' }), { code: 'KUS_ERR_BAD_REQUEST', message: /no phased rollouts/ });
  t.match(f.store.audit.list(1)[0], { action: 'policy.set', outcome: 'refused', error: { code: 'KUS_ERR_BAD_REQUEST' } }, 'a refusal is audited');

  const removed = f.policies.remove(alice, 'fast-4.9', 'candidate-4.9');
  t.equal(removed.value.afterSeconds, 259200);
  t.match(f.store.audit.list(1)[0], { action: 'policy.remove', before: { afterSeconds: 259200 }, after: null });
  t.same(f.policies.list(), []);
  t.throws(() => f.policies.remove(alice, 'fast-4.9', 'candidate-4.9'), { code: 'KUS_ERR_NOT_FOUND', message: /no policy promoting candidate-4.9 to fast-4.9 \(there are none\)/ });
});

t.test('listing times survive a whole-store replace (import, seed, a replica sync); new entries get the time of the replace', async (t) => {
  const f = fixture(t);
  const input = f.store.loadGraphInput();
  f.clock.now = T0 + 5 * DAY;
  input.graphData.channels.find((c) => c.name === 'fast-4.9')!.versions.push('4.9.0+amd64');
  f.store.replaceAll(input);
  t.same(f.store.channels.listings().map((l) => [l.channel, l.entry, l.addedAt]), [
    ['candidate-4.9', '4.9.0', T0], ['fast-4.9', '4.9.0', T0], ['fast-4.9', '4.9.0+amd64', T0 + 5 * DAY],
  ]);
});

t.test('the rules, pure: order, arch entries, what counts as declared against a version', async (t) => {
  const policy = { target: 'stable', source: 'fast', afterMs: DAY, rolloutMs: null, createdAt: 0 };
  const listings = [
    { channel: 'fast', entry: '4.9.2+arm64', addedAt: 10 }, { channel: 'fast', entry: '4.9.1', addedAt: 5 },
    { channel: 'fast', entry: '4.9.3', addedAt: 20 }, { channel: 'stable', entry: '4.9.3', addedAt: 30 },
  ];
  const out = promotionCandidates({ policies: [policy], listings, edges: [], promotions: [], now: 10 + DAY, retryMs: HOUR });
  t.same(out.map((c) => [c.version, c.status]), [['4.9.1', 'due'], ['4.9.2+arm64', 'due']], 'oldest first; what target lists is no candidate');
  const inStable = promotionCandidates({ policies: [policy], listings: [...listings, { channel: 'stable', entry: '4.9.2', addedAt: 1 }], edges: [], promotions: [], now: 10 + DAY, retryMs: HOUR });
  t.same(inStable.map((c) => c.version), ['4.9.1'], 'an arch entry is covered by the target listing its version for every arch');
  const edges = [{ file: 'a', to: '4.9.1+amd64', kind: 'blocked' as const }, { file: 'b', to: '4.9.10', kind: 'risk' as const }];
  t.same(declaredAgainst('4.9.1', edges).map((e) => e.file), ['a'], 'build metadata is ignored; 4.9.10 is not 4.9.1');
});

t.test('migration 007: versions listed before it count as listed since the migration ran', async (t) => {
  const file = path.join(tempTree(t), 'old.db');
  const raw = new Database(file);
  migrate(raw, file, migrations.filter((m) => m.version < 7));
  raw.exec(`INSERT INTO channels (file, name) VALUES ('fast-4.9.yaml', 'fast-4.9');
    INSERT INTO channel_versions (channel_file, position, version) VALUES ('fast-4.9.yaml', 0, '4.9.0')`);
  raw.close();
  const before = Date.now();
  const store = openStore(file);
  t.teardown(() => store.close());
  const [listing] = store.channels.listings();
  t.equal(listing!.entry, '4.9.0');
  t.ok(listing!.addedAt >= before && listing!.addedAt <= Date.now(), 'added_at is the time of the migration');
});

t.test('a version someone lists in the target while a run is under way is not recorded as promoted', async (t) => {
  const f = fixture(t);
  f.publisher.addRelease(alice, { version: '4.9.1', arch: 'amd64', payload: payload(2), previous: ['4.9.0'], channels: ['candidate-4.9'] });
  const racing = new PromotionPolicies({
    store: f.store, now: () => new Date(f.clock.now),
    publisher: { promote: (actor, input, now) => {
      f.publisher.addToChannel(alice, input.target, input.version);
      return f.publisher.promote(actor, input, now);
    } },
  });
  racing.set(alice, { target: 'fast-4.9', source: 'candidate-4.9', after: '1d' });
  f.clock.now = T0 + DAY;
  t.same(await racing.run(), []);
  t.same(fastVersions(f), ['4.9.0', '4.9.1']);
  t.same(f.store.policies.promotions(), [], 'no promotion recorded');
  t.notOk(f.store.audit.list(1000).some((e) => e.action === 'policy.promote'), 'no policy.promote row');
});

t.test('--rollout: the promotion and its rollout are one write: one build served, both in it, three audit rows together', async (t) => {
  const clock = { now: T0 };
  const now = (): Date => new Date(clock.now);
  const store = openStore(path.join(tempTree(t), 'kus.db'), { now });
  t.teardown(() => store.close());
  const served: Array<{ versions: string[]; rollouts: string[] }> = [];
  const seen: Array<{ versions: string[]; rollouts: string[] }> = [];
  const publisher = new Publisher({
    store,
    rebuild: () => {
      const input = store.loadGraphInput();
      served.push({ versions: input.graphData.channels.find((c) => c.name === 'fast-4.9')?.versions ?? [], rollouts: (input.graphData.rollouts ?? []).map((r) => `${r.channel}/${r.version} ${r.state}`) });
      return { ok: true };
    },
    checkWrite: (_before, after) => {
      seen.push({ versions: after.graphData.channels.find((c) => c.name === 'fast-4.9')?.versions ?? [], rollouts: (after.graphData.rollouts ?? []).map((r) => `${r.channel}/${r.version} ${r.state}`) });
    },
  });
  publisher.createChannel(alice, 'candidate-4.9');
  publisher.createChannel(alice, 'fast-4.9');
  publisher.addRelease(alice, { version: '4.9.0', arch: 'amd64', payload: payload(1), channels: ['candidate-4.9', 'fast-4.9'] });
  publisher.addRelease(alice, { version: '4.9.1', arch: 'amd64', payload: payload(2), previous: ['4.9.0'], channels: ['candidate-4.9'] });
  const policies = new PromotionPolicies({ store, publisher, now, rollouts: true });
  policies.set(alice, { target: 'fast-4.9', source: 'candidate-4.9', after: '1d', rollout: '48h' });
  served.length = 0;
  seen.length = 0;
  const auditBefore = store.audit.list(1)[0]!.id;

  clock.now = T0 + DAY;
  t.same(await policies.run(), [{ target: 'fast-4.9', source: 'candidate-4.9', version: '4.9.1', outcome: 'promoted' }]);
  t.same(seen, [{ versions: ['4.9.0', '4.9.1'], rollouts: ['fast-4.9/4.9.1 active'] }], 'one trial build, holding the listing and the rollout together');
  t.same(served, [{ versions: ['4.9.0', '4.9.1'], rollouts: ['fast-4.9/4.9.1 active'] }], 'one rebuild: no generation with the edge and no rollout');
  const rows = store.audit.list(10).filter((r) => r.id > auditBefore).reverse();
  t.same(rows.map((r) => `${r.actor} ${r.action} ${r.target}`), [
    'policy:candidate-4.9->fast-4.9 channel.add fast-4.9 4.9.1',
    'policy:candidate-4.9->fast-4.9 rollout.start fast-4.9/4.9.1',
    'policy:candidate-4.9->fast-4.9 policy.promote fast-4.9 4.9.1',
  ], 'three rows of one write');
  t.equal(new Set(rows.map((r) => r.at)).size, 1, 'written at one time');
  t.match(rows[1]!.after, { channel: 'fast-4.9', version: '4.9.1', state: 'active', durationMs: 48 * HOUR, start: T0 + DAY });
  t.match(rows[2]!.after, { rolloutSeconds: 48 * 3600 });

  // A rollout that cannot start refuses the promotion as a whole: nothing listed, recorded as refused.
  publisher.addRelease(alice, { version: '4.9.2', arch: 'amd64', payload: payload(3), previous: ['4.9.1'], channels: ['candidate-4.9'] });
  store.policies.upsert({ target: 'fast-4.9', source: 'candidate-4.9', afterMs: DAY, rolloutMs: 10_000_000 * DAY, createdAt: T0 });
  clock.now = T0 + 3 * DAY;
  const [refused] = await policies.run();
  t.match(refused, { version: '4.9.2', outcome: 'refused', error: /^KUS_ERR_INVALID_ROLLOUT: / });
  t.notOk(publisher.listChannels().find((c) => c.name === 'fast-4.9')!.versions.includes('4.9.2'), 'not listed without its rollout');
});
