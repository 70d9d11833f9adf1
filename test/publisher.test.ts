// The Publisher's guard rails on a real SQLite store: every refusal quotes the offending value and changes nothing
// but one audit row; writes are audited in the same transaction; the rebuild runs after each change only.
import t, { type Test } from 'tap';
import path from 'node:path';
import { KusError } from '../src/errors/index.js';
import { buildGraph, GraphViews, type ServedGraph } from '../src/graph/index.js';
import { Publisher, type Actor } from '../src/services/publisher.js';
import { openStore, type Store } from '../src/store/index.js';
import { digest, payload } from './helpers/admin-app.js';
import { tempTree } from './helpers/temp-tree.js';

const alice: Actor = { name: 'alice' };

interface Fixture {
  store: Store;
  publisher: Publisher;
  rebuilds: () => number;
}

function fixture(t: Test, rebuildResult: unknown = { ok: true }): Fixture {
  const store = openStore(path.join(tempTree(t), 'kus.db'));
  t.teardown(() => store.close());
  let rebuilds = 0;
  const publisher = new Publisher({ store, rebuild: () => { rebuilds++; return rebuildResult; } });
  return { store, publisher, rebuilds: () => rebuilds };
}

/** The served graph of the store's current content (what a rebuild would serve). */
function served(store: Store, channel: string, arch = 'amd64'): ServedGraph {
  return new GraphViews(buildGraph(store.loadGraphInput()).graph).render(channel, arch);
}

const edgesOf = (g: ServedGraph): string[] => g.edges.map(([f, to]) => `${g.nodes[f]!.version}->${g.nodes[to]!.version}`).sort();

/** Runs a write expected to be refused; checks the code, the message, that nothing changed, and the refusal's audit row. */
function refused(t: Test, f: Fixture, write: () => unknown, code: string, message: RegExp, action: string): KusError {
  const before = f.store.loadGraphInput();
  const auditBefore = f.store.audit.list(1000).length;
  const rebuildsBefore = f.rebuilds();
  let caught: unknown;
  try {
    write();
  } catch (err) {
    caught = err;
  }
  t.ok(caught instanceof KusError, `${action}: refused with a KusError`);
  const err = caught as KusError;
  t.equal(err.code, code, `${action}: code`);
  t.match(err.message, message, `${action}: message`);
  t.same(f.store.loadGraphInput(), before, `${action}: the store is unchanged`);
  t.equal(f.rebuilds(), rebuildsBefore, `${action}: no rebuild`);
  const audit = f.store.audit.list(1000);
  t.equal(audit.length, auditBefore + 1, `${action}: one audit row`);
  t.match(audit[0], { actor: 'alice', action, outcome: 'refused', error: { code, message: err.message } }, `${action}: the refusal is audited`);
  return err;
}

function seed(f: Fixture): void {
  f.publisher.createChannel(alice, 'stable-4.9');
  f.publisher.createChannel(alice, 'fast-4.9');
  f.publisher.addRelease(alice, { version: '4.9.0', arch: 'amd64', payload: payload(1), channels: ['stable-4.9'] });
  f.publisher.addRelease(alice, { version: '4.9.0', arch: 'arm64', payload: payload(2), channels: ['stable-4.9'] });
  f.publisher.addRelease(alice, { version: '4.9.1', arch: 'amd64', payload: payload(3), previous: ['4.9.0'], channels: ['stable-4.9'] });
}

t.test('a release is stored, listed in its channels, audited, and rebuilt once', async (t) => {
  const f = fixture(t);
  f.publisher.createChannel(alice, 'stable-4.9');
  const r = f.publisher.addRelease(alice, {
    version: '4.9.0', arch: 'amd64', payload: payload(1), metadata: { url: 'https://docs.example/4.9.0' }, channels: ['stable-4.9'],
  });
  t.equal(r.changed, true);
  t.same(r.warnings, []);
  t.same(r.value, { version: '4.9.0', arch: 'amd64', payload: payload(1), digest: digest(1), metadata: { url: 'https://docs.example/4.9.0' }, previous: [], next: [] });
  t.same(f.store.releases.list(), [r.value]);
  t.same(f.publisher.listChannels(), [{ name: 'stable-4.9', file: 'stable-4.9.yaml', versions: ['4.9.0'] }]);
  t.equal(f.rebuilds(), 2, 'one rebuild per write (channel, release)');
  const [entry] = f.store.audit.list(1);
  t.match(entry, { actor: 'alice', action: 'release.add', target: '4.9.0+amd64', outcome: 'ok', error: null, before: null, after: { release: r.value, addedToChannels: ['stable-4.9'] } });
  t.same(served(f.store, 'stable-4.9').nodes.map((n) => n.version), ['4.9.0']);
});

t.test('the same version and digest again is a no-op; new channels are still joined', async (t) => {
  const f = fixture(t);
  seed(f);
  const audit = f.store.audit.list(1000).length;
  const rebuilds = f.rebuilds();
  const again = f.publisher.addRelease(alice, { version: '4.9.1', arch: 'amd64', payload: payload(3), previous: ['4.9.0'] });
  t.equal(again.changed, false);
  t.same(again.warnings, []);
  t.equal(f.store.audit.list(1000).length, audit, 'a no-op is not audited');
  t.equal(f.rebuilds(), rebuilds, 'nor rebuilt');

  const differing = f.publisher.addRelease(alice, { version: '4.9.1', arch: 'amd64', payload: payload(3), next: ['4.9.2'] });
  t.equal(differing.changed, false);
  t.match(differing.warnings[0], /already stored with this digest; the stored release is kept.*previous.*next/);
  t.same(f.store.releases.find('4.9.1', 'amd64')?.previous, ['4.9.0'], 'the stored release is unchanged');

  const promoted = f.publisher.addRelease(alice, { version: '4.9.1', arch: 'amd64', payload: payload(3), previous: ['4.9.0'], channels: ['fast-4.9'] });
  t.equal(promoted.changed, true, 'joining a channel is a change');
  t.same(f.publisher.listChannels().find((c) => c.name === 'fast-4.9')?.versions, ['4.9.1']);
});

t.test('another digest for a stored version and arch is refused with 409 and how to rebuild it', async (t) => {
  const f = fixture(t);
  seed(f);
  const err = refused(t, f, () => f.publisher.addRelease(alice, { version: '4.9.1', arch: 'amd64', payload: payload(9) }),
    'KUS_ERR_DIGEST_MISMATCH', /4\.9\.1\+amd64 is already stored with digest sha256:0+3\b.*refusing sha256:0+9\b/, 'release.add');
  t.equal(err.status, 409);
  t.match(err.message, /cannot be told apart/);
  t.match(err.message, /oc adm release new --from-release \S+@sha256:0+9 --name <new version>/);
  // Another architecture of the same version is a different release.
  t.equal(f.publisher.addRelease(alice, { version: '4.9.1', arch: 'arm64', payload: payload(9) }).changed, true);
});

t.test('a payload without a digest is refused and points at release ingest', async (t) => {
  const f = fixture(t);
  refused(t, f, () => f.publisher.addRelease(alice, { version: '4.9.0', arch: 'amd64', payload: 'quay.example/ocp/release:4.9.0' }),
    'KUS_ERR_INVALID_PAYLOAD', /"quay\.example\/ocp\/release:4\.9\.0" is not pinned by digest.*kus release ingest/, 'release.add');
  refused(t, f, () => f.publisher.addRelease(alice, { version: '4.9.0', arch: 'amd64', payload: 'quay.example/ocp/release@sha256:abc' }),
    'KUS_ERR_INVALID_PAYLOAD', /not pinned by digest/, 'release.add');
});

t.test('versions, arches, metadata and channel names are checked, quoting the value', async (t) => {
  const f = fixture(t);
  f.publisher.createChannel(alice, 'stable-4.9');
  const add = (over: Record<string, unknown>) => () =>
    f.publisher.addRelease(alice, { version: '4.9.0', arch: 'amd64', payload: payload(1), ...over } as never);
  refused(t, f, add({ version: '4.9' }), 'KUS_ERR_INVALID_SEMVER', /"4\.9" is not a valid SemVer/, 'release.add');
  refused(t, f, add({ version: '4.9.0+arm64' }), 'KUS_ERR_INVALID_SEMVER', /"\+arm64".*architecture goes in arch/, 'release.add');
  refused(t, f, add({ arch: 'ARM64' }), 'KUS_ERR_INVALID_ARCH', /"ARM64"/, 'release.add');
  refused(t, f, add({ previous: ['4.8'] }), 'KUS_ERR_INVALID_SEMVER', /previous entry "4\.8"/, 'release.add');
  refused(t, f, add({ metadata: { 'io.openshift.upgrades.graph.previous.add': '4.8.0,banana' } }), 'KUS_ERR_INVALID_METADATA', /item "banana"/, 'release.add');
  refused(t, f, add({ metadata: { 'io.openshift.upgrades.graph.previous.remove_regex': '(' } }), 'KUS_ERR_INVALID_REGEX', /"\("/, 'release.add');
  refused(t, f, add({ metadata: { 'io.openshift.upgrades.graph.release.channels': 'x-1' } }), 'KUS_ERR_INVALID_METADATA', /set by KUS itself/, 'release.add');
  refused(t, f, add({ channels: ['Stable'] }), 'KUS_ERR_INVALID_CHANNEL', /"Stable"/, 'release.add');
  refused(t, f, add({ channels: ['fast-4.9'] }), 'KUS_ERR_NOT_FOUND', /channel "fast-4\.9" does not exist \(existing: stable-4\.9\).*kus channel create fast-4\.9/, 'release.add');
  refused(t, f, () => f.publisher.createChannel(alice, 'stable'), 'KUS_ERR_INVALID_CHANNEL', /"stable" has no "-"/, 'channel.create');
  refused(t, f, () => f.publisher.createChannel(alice, 'stable 4.9'), 'KUS_ERR_INVALID_CHANNEL', /"stable 4\.9"/, 'channel.create');

  const tolerated = f.publisher.addRelease(alice, { version: '4.9.0+amd64', arch: 'amd64', payload: payload(1) });
  t.equal(tolerated.value.version, '4.9.0', 'a +arch equal to arch is dropped');
});

t.test('previous/next not stored yet: accepted with a warning, the edge appears when that release arrives', async (t) => {
  const f = fixture(t);
  f.publisher.createChannel(alice, 'stable-4.9');
  const r = f.publisher.addRelease(alice, { version: '4.9.1', arch: 'amd64', payload: payload(2), previous: ['4.9.0'], next: ['4.9.2'], channels: ['stable-4.9'] });
  t.equal(r.changed, true);
  t.equal(r.warnings.length, 2);
  t.match(r.warnings[0], /previous 4\.9\.0: no release 4\.9\.0\+amd64 is stored yet; the update 4\.9\.0 → 4\.9\.1 .*appears/);
  t.match(r.warnings[1], /next 4\.9\.2: .*4\.9\.1 → 4\.9\.2/);
  t.same(edgesOf(served(f.store, 'stable-4.9')), []);
  f.publisher.addRelease(alice, { version: '4.9.0', arch: 'amd64', payload: payload(1), channels: ['stable-4.9'] });
  t.same(edgesOf(served(f.store, 'stable-4.9')), ['4.9.0->4.9.1']);
});

t.test('a cycle is refused before anything is written', async (t) => {
  const f = fixture(t);
  seed(f);
  refused(t, f, () => f.publisher.addRelease(alice, { version: '4.9.2', arch: 'amd64', payload: payload(4), previous: ['4.9.1'], next: ['4.9.0'] }),
    'KUS_ERR_CYCLE', /cycle/, 'release.add');
  refused(t, f, () => f.publisher.setRawMetadata(alice, '4.9.0', 'io.openshift.upgrades.graph.previous.add', '4.9.1'),
    'KUS_ERR_CYCLE', /cycle/, 'raw-metadata.set');
});

t.test('channels: adding needs a release of that version (and arch); re-adding is a no-op', async (t) => {
  const f = fixture(t);
  seed(f);
  refused(t, f, () => f.publisher.addToChannel(alice, 'fast-4.9', '4.9.7'), 'KUS_ERR_NOT_FOUND', /no release 4\.9\.7 is stored, for any architecture/, 'channel.add');
  refused(t, f, () => f.publisher.addToChannel(alice, 'fast-4.9', '4.9.1+arm64'), 'KUS_ERR_NOT_FOUND', /no release 4\.9\.1 is stored for arm64 \(stored for: amd64\)/, 'channel.add');
  refused(t, f, () => f.publisher.addToChannel(alice, 'candidate-4.9', '4.9.1'), 'KUS_ERR_NOT_FOUND', /channel "candidate-4\.9" does not exist/, 'channel.add');
  refused(t, f, () => f.publisher.addToChannel(alice, 'fast-4.9', '4.9'), 'KUS_ERR_INVALID_SEMVER', /"4\.9"/, 'channel.add');

  const added = f.publisher.addToChannel(alice, 'fast-4.9', '4.9.1');
  t.same(added, { value: { name: 'fast-4.9', file: 'fast-4.9.yaml', versions: ['4.9.1'] }, warnings: [], changed: true });
  t.equal(f.publisher.addToChannel(alice, 'fast-4.9', '4.9.1').changed, false, 're-adding is a no-op');
  const covered = f.publisher.addToChannel(alice, 'fast-4.9', '4.9.1+amd64');
  t.equal(covered.changed, false);
  t.match(covered.warnings[0], /already lists 4\.9\.1, which includes 4\.9\.1\+amd64/);
  t.equal(f.publisher.addToChannel(alice, 'fast-4.9', '4.9.0+arm64').changed, true, 'one architecture of a version');
  t.same(served(f.store, 'fast-4.9', 'arm64').nodes.map((n) => n.version), ['4.9.0']);
  t.same(served(f.store, 'fast-4.9', 'amd64').nodes.map((n) => n.version), ['4.9.1']);

  refused(t, f, () => f.publisher.removeFromChannel(alice, 'fast-4.9', '4.9.0'), 'KUS_ERR_NOT_FOUND', /does not list "4\.9\.0" \(it lists 4\.9\.0\+arm64\)/, 'channel.remove');
  t.same(f.publisher.removeFromChannel(alice, 'fast-4.9', '4.9.0+arm64').value.versions, ['4.9.1']);
  t.equal(f.publisher.createChannel(alice, 'fast-4.9').changed, false, 'creating an existing channel is a no-op');
  const deleted = f.publisher.deleteChannel(alice, 'fast-4.9');
  t.match(deleted.warnings[0], /listed 1 version; clusters following it now get an empty graph/);
  refused(t, f, () => f.publisher.deleteChannel(alice, 'fast-4.9'), 'KUS_ERR_NOT_FOUND', /does not exist/, 'channel.delete');
});

t.test('removing a release a channel lists needs force; force takes it out of the channels', async (t) => {
  const f = fixture(t);
  seed(f);
  refused(t, f, () => f.publisher.removeRelease(alice, '4.9.0', 'arm64'), 'KUS_ERR_CONFLICT',
    /channel stable-4\.9 still lists 4\.9\.0\+arm64.*kus channel remove stable-4\.9 4\.9\.0.*--force/, 'release.remove');
  refused(t, f, () => f.publisher.removeRelease(alice, '4.9.5', 'arm64'), 'KUS_ERR_NOT_FOUND', /no release 4\.9\.5\+arm64 is stored/, 'release.remove');
  refused(t, f, () => f.publisher.removeRelease(alice, '4.9.1', 'arm64'), 'KUS_ERR_NOT_FOUND', /\(4\.9\.1 is stored for amd64\)/, 'release.remove');

  const arm = f.publisher.removeRelease(alice, '4.9.0', 'arm64', { force: true });
  t.equal(arm.value.digest, digest(2));
  t.match(arm.warnings[0], /channel stable-4\.9 keeps 4\.9\.0 for the other architectures \(amd64\)/);
  t.same(f.publisher.listChannels().find((c) => c.name === 'stable-4.9')!.versions, ['4.9.0', '4.9.1'], 'the plain entry stays for amd64');
  t.same(served(f.store, 'stable-4.9', 'arm64').nodes, []);

  const amd = f.publisher.removeRelease(alice, '4.9.0', 'amd64', { force: true });
  t.match(amd.warnings[0], /removed 4\.9\.0 from channel stable-4\.9/);
  t.same(f.publisher.listChannels().find((c) => c.name === 'stable-4.9')!.versions, ['4.9.1']);
  t.same(f.store.releases.list().map((r) => `${r.version}+${r.arch}`), ['4.9.1+amd64']);
  t.match(f.store.audit.list(1)[0], { action: 'release.remove', target: '4.9.0+amd64', outcome: 'ok', before: { channels: ['stable-4.9'] } });
});

t.test('blocked edges: regex or exact version; a second block of one target is appended, not replaced', async (t) => {
  const f = fixture(t);
  seed(f);
  f.publisher.addRelease(alice, { version: '4.9.2', arch: 'amd64', payload: payload(5), previous: ['4.9.0', '4.9.1'], channels: ['stable-4.9'] });
  t.same(edgesOf(served(f.store, 'stable-4.9')), ['4.9.0->4.9.1', '4.9.0->4.9.2', '4.9.1->4.9.2']);

  refused(t, f, () => f.publisher.blockEdge(alice, { to: '4.9.2', from: '(?<=4)9' }), 'KUS_ERR_INVALID_REGEX', /"\(\?<=4\)9".*look-around/, 'edge.block');
  refused(t, f, () => f.publisher.blockEdge(alice, { to: '4.9.2' }), 'KUS_ERR_BAD_REQUEST', /exactly one of from .* and fromVersion/, 'edge.block');
  refused(t, f, () => f.publisher.blockEdge(alice, { to: '4.9.2', from: '.*', fromVersion: '4.9.0' }), 'KUS_ERR_BAD_REQUEST', /exactly one/, 'edge.block');
  refused(t, f, () => f.publisher.blockEdge(alice, { to: 'latest', from: '.*' }), 'KUS_ERR_INVALID_SEMVER', /to "latest"/, 'edge.block');

  const first = f.publisher.blockEdge(alice, { to: '4.9.2', fromVersion: '4.9.0' });
  t.same(first.value, { file: '4.9.2.yaml', to: '4.9.2', from: '^4[.]9[.]0[+].*$' });
  t.same(first.warnings, []);
  t.same(edgesOf(served(f.store, 'stable-4.9')), ['4.9.0->4.9.1', '4.9.1->4.9.2']);

  const second = f.publisher.blockEdge(alice, { to: '4.9.2', from: '^4[.]9[.]1[+].*$' });
  t.same(second.value, { file: '4.9.2.yaml', to: '4.9.2', from: '^4[.]9[.]0[+].*$|^4[.]9[.]1[+].*$' }, 'same file, patterns joined');
  t.match(second.warnings[0], /blocked-edges\/4\.9\.2\.yaml already blocked .* was appended to it: from is now/);
  t.same(f.store.edges.listBlocked().map((e) => e.file), ['4.9.2.yaml'], 'no second file');
  t.same(edgesOf(served(f.store, 'stable-4.9')), ['4.9.0->4.9.1'], 'both blocks act');
  t.equal(f.publisher.blockEdge(alice, { to: '4.9.2', from: '^4[.]9[.]1[+].*$' }).changed, false, 'the same block again is a no-op');

  const never = f.publisher.blockEdge(alice, { to: '4.9.1', from: '^4\\.9\\.0$' });
  t.match(never.warnings.join('\n'), /matches no stored release/);
  const late = f.publisher.blockEdge(alice, { to: '4.10.0', fromVersion: '4.9.2' });
  t.match(late.warnings.join('\n'), /no release 4\.10\.0 is stored yet/);

  const removed = f.publisher.removeEdge(alice, '4.9.2.yaml');
  t.equal(removed.value.file, '4.9.2.yaml');
  t.same(edgesOf(served(f.store, 'stable-4.9')), ['4.9.0->4.9.1', '4.9.0->4.9.2', '4.9.1->4.9.2']);
  refused(t, f, () => f.publisher.removeEdge(alice, '4.9.2.yaml'), 'KUS_ERR_NOT_FOUND', /no blocked-edges file "4\.9\.2\.yaml"/, 'edge.remove');
});

t.test('conditional edges: risks checked, file names <to>-<name>.yaml made unique, served as conditional edges', async (t) => {
  const f = fixture(t);
  seed(f);
  const risk = { to: '4.9.1', fromVersion: '4.9.0', url: 'https://docs.example/kb/1', name: 'StorageDriverRisk', message: 'Volumes may be lost.' };
  refused(t, f, () => f.publisher.addRisk(alice, { ...risk, matchingRules: [{ type: 'PromQL' }] }), 'KUS_ERR_INVALID_RISK', /PromQL rule needs a non-empty promql\.promql/, 'edge.risk');
  refused(t, f, () => f.publisher.addRisk(alice, { ...risk, matchingRules: [{ type: 'PromQL', promql: { promql: '  ' } }] }), 'KUS_ERR_INVALID_RISK', /non-empty/, 'edge.risk');
  refused(t, f, () => f.publisher.addRisk(alice, { ...risk, matchingRules: [{ type: 'Sometimes' }] }), 'KUS_ERR_INVALID_RISK', /"Sometimes"/, 'edge.risk');
  refused(t, f, () => f.publisher.addRisk(alice, { ...risk, matchingRules: [] }), 'KUS_ERR_INVALID_RISK', /at least one matching rule/, 'edge.risk');
  refused(t, f, () => f.publisher.addRisk(alice, { ...risk, url: 'docs', matchingRules: [{ type: 'Always' }] }), 'KUS_ERR_INVALID_RISK', /"docs", which is not an absolute URI/, 'edge.risk');
  refused(t, f, () => f.publisher.addRisk(alice, { ...risk, to: '4.9.1+amd64', matchingRules: [{ type: 'Always' }] }), 'KUS_ERR_INVALID_SEMVER', /lose the update entirely.*to: 4\.9\.1/, 'edge.risk');
  refused(t, f, () => f.publisher.addRisk(alice, { ...risk, fromVersion: undefined, from: '[', matchingRules: [{ type: 'Always' }] }), 'KUS_ERR_INVALID_REGEX', /"\["/, 'edge.risk');

  const rules = [{ type: 'PromQL', promql: { promql: 'max(kylin_legacy_storage_enabled)' } }];
  const first = f.publisher.addRisk(alice, { ...risk, matchingRules: rules });
  t.same(first.value, { file: '4.9.1-storage-driver-risk.yaml', to: '4.9.1', from: '^4[.]9[.]0[+].*$', risk: { url: risk.url, name: risk.name, message: risk.message, matchingRules: rules } });
  t.equal(f.publisher.addRisk(alice, { ...risk, matchingRules: rules }).changed, false, 'the same risk again is a no-op');
  const other = f.publisher.addRisk(alice, { ...risk, from: '.*', fromVersion: undefined, message: 'Other text.', matchingRules: [{ type: 'Always' }] });
  t.equal(other.value.file, '4.9.1-storage-driver-risk-2.yaml');
  t.match(other.warnings.join('\n'), /declares a risk named StorageDriverRisk with another url, message or rules/);

  const g = served(f.store, 'stable-4.9');
  t.same(edgesOf(g), [], 'the edge is no longer unconditional');
  t.same(g.conditionalEdges.map((c) => ({ edges: c.edges, risks: c.risks.map((r) => r.name) })), [{ edges: [{ from: '4.9.0', to: '4.9.1' }], risks: ['StorageDriverRisk'] }]);
  t.same(f.publisher.listEdges().conditional.map((e) => e.file), ['4.9.1-storage-driver-risk-2.yaml', '4.9.1-storage-driver-risk.yaml']);
});

t.test('raw metadata: set, change, delete; a missing key is 404', async (t) => {
  const f = fixture(t);
  seed(f);
  const set = f.publisher.setRawMetadata(alice, '4.9.0', 'url', 'https://docs.example/4.9.0');
  t.same(set.value, { version: '4.9.0', key: 'url', value: 'https://docs.example/4.9.0' });
  t.equal(f.publisher.setRawMetadata(alice, '4.9.0', 'url', 'https://docs.example/4.9.0').changed, false);
  t.equal(served(f.store, 'stable-4.9', 'arm64').nodes[0]!.metadata.url, 'https://docs.example/4.9.0', 'every architecture of the version');
  f.publisher.setRawMetadata(alice, '4.9.0', 'url', 'https://docs.example/v2');
  t.same(f.store.loadGraphInput().graphData.rawMetadata, [['4.9.0', { url: 'https://docs.example/v2' }]]);
  t.match(f.publisher.setRawMetadata(alice, '4.12.0', 'a', 'b').warnings[0], /no release 4\.12\.0 is stored yet/);
  t.same(f.publisher.setRawMetadata(alice, '4.9.0', 'url', null).value, { version: '4.9.0', key: 'url', value: null });
  t.same(f.store.loadGraphInput().graphData.rawMetadata, [['4.12.0', { a: 'b' }]]);
  refused(t, f, () => f.publisher.setRawMetadata(alice, '4.9.0', 'url', null), 'KUS_ERR_NOT_FOUND', /has no key "url"/, 'raw-metadata.delete');
  refused(t, f, () => f.publisher.setRawMetadata(alice, '4.9', 'url', 'x'), 'KUS_ERR_INVALID_SEMVER', /"4\.9"/, 'raw-metadata.set');
  refused(t, f, () => f.publisher.setRawMetadata(alice, '4.9.0', 'io.openshift.upgrades.graph.next.remove', '*'), 'KUS_ERR_INVALID_METADATA', /item "\*"/, 'raw-metadata.set');
});

t.test('reads: list by arch and channel, show one version, audit limit', async (t) => {
  const f = fixture(t);
  seed(f);
  t.same(f.publisher.listReleases({ arch: 'arm64' }).map((r) => r.digest), [digest(2)]);
  t.same(f.publisher.listReleases({ channel: 'stable-4.9' }).length, 3);
  t.same(f.publisher.listReleases({ channel: 'fast-4.9' }), []);
  t.throws(() => f.publisher.listReleases({ channel: 'beta-4.9' }), { code: 'KUS_ERR_NOT_FOUND' });
  t.same(f.publisher.getRelease('4.9.0').map((r) => r.arch), ['amd64', 'arm64']);
  t.same(f.publisher.getRelease('4.9.0', 'arm64').map((r) => r.digest), [digest(2)]);
  t.same(f.publisher.getRelease('4.9.0+arm64').map((r) => r.digest), [digest(2)]);
  t.throws(() => f.publisher.getRelease('4.9.1', 'arm64'), { code: 'KUS_ERR_NOT_FOUND', message: /stored for amd64/ });
  t.throws(() => f.publisher.getRelease('4.9.9'), { code: 'KUS_ERR_NOT_FOUND' });
  t.equal(f.publisher.auditLog({ limit: 2 }).length, 2);
  t.throws(() => f.publisher.auditLog({ limit: 0 }), { code: 'KUS_ERR_BAD_REQUEST', message: /limit 0/ });
});

t.test('a failed rebuild after a stored write is reported as a warning', async (t) => {
  const f = fixture(t, { ok: false, durationMs: 1, error: new Error('boom') });
  const r = f.publisher.createChannel(alice, 'stable-4.9');
  t.equal(r.changed, true);
  t.match(r.warnings, [/rebuilding the served graph failed/]);
  t.equal(f.store.channels.count(), 1, 'the write is kept');
});

t.test('the reads an admin GET or the halting rule makes read their own rows, not the whole graph input', async (t) => {
  // They run on the thread that answers clusters (the halting rule every minute): the whole input at upstream scale
  // stalled graph requests for over 100 ms.
  const file = path.join(tempTree(t), 'kus.db');
  const writer = openStore(file);
  t.teardown(() => writer.close());
  const f = { store: writer, publisher: new Publisher({ store: writer, rebuild: () => ({ ok: true }) }) };
  f.publisher.createChannel(alice, 'stable-4.9');
  f.publisher.createChannel(alice, 'fast-4.9');
  f.publisher.addRelease(alice, { version: '4.9.0', arch: 'amd64', payload: payload(1), channels: ['stable-4.9', 'fast-4.9'] });
  f.publisher.addRelease(alice, { version: '4.9.1', arch: 'amd64', payload: payload(2), previous: ['4.9.0'], channels: ['stable-4.9', 'fast-4.9'] });
  f.publisher.addRelease(alice, { version: '4.9.2', arch: 'amd64', payload: payload(3), previous: ['4.9.1'], channels: ['fast-4.9'] });
  f.publisher.blockEdge(alice, { to: '4.9.2', fromVersion: '4.9.0' });
  f.publisher.addRisk(alice, { to: '4.9.1', from: '.*', url: 'https://bugs.example/1', name: 'EtcdSlow', message: 'etcd is slow', matchingRules: [{ type: 'Always' }] });
  f.publisher.startRollout(alice, { channel: 'fast-4.9', version: '4.9.2', duration: '10h', startPercentage: 5 }, Date.parse('2026-12-01T08:00:00Z'));
  const canary = '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
  f.publisher.changeCanaries(alice, 'fast-4.9', 'add', [canary]);
  // A node without architecture whose version carries build metadata, as imported graph-data can hold.
  writer.releases.upsert({ version: '4.8.0+legacy.1', arch: null, payload: payload(4), digest: null, metadata: {}, previous: [], next: [] });
  const whole = f.store.loadGraphInput();

  // A second connection that counts reads of the releases table, which the whole input reads and none of these need.
  // Set before its first use: the store wraps each method once, when first read.
  const reader = openStore(file);
  t.teardown(() => reader.close());
  const loads = { n: 0 };
  const list = (Object.getPrototypeOf(reader.releases) as typeof reader.releases).list;
  reader.releases.list = function (this: typeof reader.releases) { loads.n++; return list.call(this); };
  const reads = new Publisher({ store: reader, rebuild: () => ({ ok: true }) });
  t.same(reads.listChannels().map((c) => c.name).sort(), ['fast-4.9', 'stable-4.9']);
  t.same(reads.listEdges(), { blocked: whole.graphData.blockedEdges, conditional: whole.graphData.conditionalEdges });
  t.equal(reads.listEdges().blocked.length, 1, 'the blocked edge');
  t.equal(reads.listEdges().conditional.length, 1, 'the risk');
  t.same(reads.listRollouts(), whole.graphData.rollouts);
  t.equal(reads.listRollouts()[0]?.version, '4.9.2');
  t.same(reads.listCanaries('fast-4.9'), [canary]);
  t.same(reads.listCanaries('stable-4.9'), [], 'a channel without canaries');
  t.throws(() => reads.listCanaries('candidate-4.9'), { code: 'KUS_ERR_NOT_FOUND', message: /channel "candidate-4\.9" does not exist \(existing: fast-4\.9, stable-4\.9\)/ },
    'an unknown channel is still refused, naming those that exist');
  // A release's own rows, found through the index: every architecture, one, or a refusal naming those stored.
  t.same(reads.getRelease('4.9.1'), whole.releases.filter((r) => r.version === '4.9.1'));
  t.same(reads.getRelease('4.9.2+amd64').map((r) => r.digest), whole.releases.filter((r) => r.version === '4.9.2').map((r) => r.digest));
  t.throws(() => reads.getRelease('4.9.2', 'arm64'), { code: 'KUS_ERR_NOT_FOUND', message: /no release 4\.9\.2\+arm64 is stored \(stored for amd64\)/ });
  t.same(reads.getRelease('4.8.0').map((r) => r.version), ['4.8.0+legacy.1'], 'build metadata is ignored, as in the graph');
  t.throws(() => reads.getRelease('4.9.20'), { code: 'KUS_ERR_NOT_FOUND', message: /no release "4\.9\.20" is stored, for any architecture/ }, 'a version that only starts like a stored one');
  t.equal(loads.n, 0, 'none of them read the whole input');
  t.same(reader.loadGraphInput().graphData.rollouts, whole.graphData.rollouts);
  t.equal(loads.n, 1, 'the count sees the whole input read');
});
