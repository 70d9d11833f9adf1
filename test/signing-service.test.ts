// Keys, signing, uploads, reports and --require-signatures on a real store with real OpenPGP keys (and gpg).
import t, { type Test as Tap } from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as openpgp from 'openpgp';
import { exportGraphData, importGraphData } from '../src/services/graph-data-service.js';
import { SigningKeys } from '../src/services/keys.js';
import { Publisher } from '../src/services/publisher.js';
import { readSignaturesForImport, signaturesDirOf } from '../src/services/signature-files.js';
import { requireSignaturesGuard } from '../src/services/signature-guard.js';
import { Signing } from '../src/services/signing.js';
import { KeyRing } from '../src/signatures/index.js';
import { openStore, type Store } from '../src/store/index.js';
import { claim, gpgHome, jsKey, jsSign, signingSkip } from './helpers/signing.js';
import { tempTree } from './helpers/temp-tree.js';

const skip = signingSkip();
const actor = { name: 'tester' };
const HEX = (n: number): string => n.toString(16).padStart(64, '0');
const DIGEST = (n: number): string => `sha256:${HEX(n)}`;
const PAYLOAD = (n: number): string => `registry.example/kylin/release@${DIGEST(n)}`;

interface World {
  store: Store;
  publisher: Publisher;
  keys: SigningKeys;
  signing: Signing;
  /** Real time unless a test fixes it. */
  clock: { fixed: Date | null; now(): Date };
  setPassphrase(p: string | undefined): void;
  dir: string;
}

function world(t: Tap, options: { requireSignatures?: boolean } = {}): World {
  const dir = tempTree(t);
  const clock = { fixed: null as Date | null, now: (): Date => clock.fixed ?? new Date() };
  const store = openStore(path.join(dir, 'kus.db'), { now: () => clock.now() });
  t.teardown(() => store.close());
  let passphrase: string | undefined = 'correct horse';
  const publisher = new Publisher({ store, rebuild: () => undefined, ...(options.requireSignatures ? { checkWrite: requireSignaturesGuard(store) } : {}) });
  const keys = new SigningKeys({ store, passphrase: () => passphrase, now: () => clock.now() });
  const signing = new Signing({ store, keys, releases: (v) => publisher.getRelease(v), passphrase: () => passphrase, now: () => clock.now(), creator: 'Kylin Update Service test' });
  return { store, publisher, keys, signing, clock, setPassphrase: (p) => (passphrase = p), dir };
}

function addReleases(w: World): void {
  w.publisher.createChannel(actor, 'stable-1.2');
  w.publisher.addRelease(actor, { version: '1.2.0', arch: 'arm64', payload: PAYLOAD(1), channels: ['stable-1.2'] });
  w.publisher.addRelease(actor, { version: '1.2.1', arch: 'arm64', payload: PAYLOAD(2), previous: ['1.2.0'] });
  w.publisher.addRelease(actor, { version: '1.2.1', arch: 'amd64', payload: PAYLOAD(3) });
}

const refusedAudits = (store: Store, action: string): number => store.audit.list(1000).filter((a) => a.action === action && a.outcome === 'refused').length;

t.test('generate, sign with every active key, never overwrite, verify', { skip }, async (t) => {
  const w = world(t);
  addReleases(w);
  await t.rejects(w.signing.signRelease(actor, '1.2.1'), { code: 'KUS_ERR_NO_SIGNING_KEY' }, 'no key yet');

  const a = await w.keys.generate(actor, { name: 'kylin-a', email: 'a@kylin.example' });
  t.match(a.value, { name: 'kylin-a', algorithm: 'rsa3072', active: true, canSign: true, userIds: ['kylin-a <a@kylin.example>'] });
  t.match(w.store.signingKeys.byName('kylin-a')!.privateKey, /^-----BEGIN PGP PRIVATE KEY BLOCK-----/);
  const stored = await openpgp.readPrivateKey({ armoredKey: w.store.signingKeys.byName('kylin-a')!.privateKey! });
  t.equal(stored.isDecrypted(), false, 'the stored private key is encrypted');
  await t.rejects(w.keys.generate(actor, { name: 'kylin-a', email: 'a@kylin.example' }), { code: 'KUS_ERR_CONFLICT' });
  await t.rejects(w.keys.generate(actor, { name: 'Bad Name', email: 'a@kylin.example' }), { code: 'KUS_ERR_BAD_REQUEST' });
  await t.rejects(w.keys.generate(actor, { name: 'k', email: 'a@kylin.example', bits: 1024 }), { code: 'KUS_ERR_BAD_REQUEST' });

  const first = await w.signing.signRelease(actor, '1.2.1');
  t.equal(first.changed, true);
  t.same(first.value.map((r) => [r.version, r.digest, r.signatures.map((s) => [s.index, s.key, s.added])]).sort(), [
    ['1.2.1+amd64', DIGEST(3), [[1, 'kylin-a', true]]],
    ['1.2.1+arm64', DIGEST(2), [[1, 'kylin-a', true]]],
  ], 'both architectures signed, as signature-1');
  const again = await w.signing.signRelease(actor, '1.2.1+arm64');
  t.equal(again.changed, false, 'a key that signed the digest is not asked again');
  t.equal(w.store.signatures.count(), 2);

  await w.keys.generate(actor, { name: 'kylin-b', email: 'b@kylin.example', bits: 4096 });
  const rotated = await w.signing.signRelease(actor, '1.2.1+arm64');
  t.same(rotated.value[0]!.signatures.map((s) => [s.index, s.key, s.added]), [[1, 'kylin-a', false], [2, 'kylin-b', true]], 'the new key adds signature-2');
  const before = w.store.signatures.ofDigest(DIGEST(2))[0]!.bytes;
  t.same(w.store.signatures.ofDigest(DIGEST(2))[0]!.bytes, before, 'signature-1 untouched');

  const ring = await KeyRing.load(w.keys.trusted());
  for (const s of w.store.signatures.ofDigest(DIGEST(2))) {
    const v = await ring.verify(s.bytes, DIGEST(2), new Date());
    t.match(v, { valid: true, claim: { digest: DIGEST(2), reference: 'registry.example/kylin/release', creator: 'Kylin Update Service test' } });
  }
  t.equal((await ring.verify(w.store.signatures.ofDigest(DIGEST(2))[0]!.bytes, DIGEST(3), new Date())).valid, false, 'not valid for another digest');

  const status = await w.signing.verifyDigest(DIGEST(2));
  t.same(status.keys.map((k) => [k.name, k.signature]), [['kylin-a', 1], ['kylin-b', 2]]);
  t.equal(status.signed, true);
  t.equal((await w.signing.verifyDigest(DIGEST(3))).signed, false, 'amd64 lacks kylin-b');
  t.ok(w.store.audit.list(100).some((e) => e.action === 'release.sign' && e.outcome === 'ok'), 'signing is audited');
  await t.rejects(w.signing.signRelease(actor, '9.9.9'), { code: 'KUS_ERR_NOT_FOUND' });
});

t.test('the signing passphrase: required, and must be the one the key was stored with', { skip }, async (t) => {
  const w = world(t);
  addReleases(w);
  w.setPassphrase(undefined);
  await t.rejects(w.keys.generate(actor, { name: 'k', email: 'k@kylin.example' }), { code: 'KUS_ERR_SIGNING_PASSPHRASE', message: /KUS_SIGNING_PASSPHRASE/ });
  t.equal(w.store.signingKeys.count(), 0, 'nothing stored');
  t.equal(refusedAudits(w.store, 'key.generate'), 1, 'the refusal is audited');
  w.setPassphrase('one');
  await w.keys.generate(actor, { name: 'k', email: 'k@kylin.example' });
  w.setPassphrase('two');
  await t.rejects(w.signing.signRelease(actor, '1.2.0'), { code: 'KUS_ERR_SIGNING_PASSPHRASE', message: /not the one it was stored with/ });
  t.equal(w.store.signatures.count(), 0);
});

t.test('keys the cluster cannot use are refused, saying why', { skip }, async (t) => {
  const w = world(t);
  const ed = await jsKey({ name: 'ed', type: 'curve25519' });
  await t.rejects(w.keys.import(actor, { data: Buffer.from(ed.publicKey.armor()), source: 'ed.asc' }), {
    code: 'KUS_ERR_UNSUPPORTED_KEY',
    message: /the primary key is ed25519.*not RSA.*golang\.org\/x\/crypto\/openpgp, which rejects public key type 22/,
  });
  const v6 = await jsKey({ name: 'six', v6: true });
  await t.rejects(w.keys.import(actor, { data: Buffer.from(v6.publicKey.armor()), source: 'v6.asc' }), { code: 'KUS_ERR_UNSUPPORTED_KEY', message: /v6 key packet/ });
  await t.rejects(w.keys.import(actor, { data: Buffer.from('not a key'), source: 'junk.asc' }), { code: 'KUS_ERR_UNSUPPORTED_KEY', message: /cannot read an OpenPGP key from "junk.asc"/ });

  const { gpg } = gpgHome(t);
  t.equal(gpg(['--quick-gen-key', 'Edwards <ed@kylin.example>', 'ed25519', 'sign', 'never']).status, 0);
  const edGpg = gpg(['--armor', '--export', 'ed@kylin.example']).stdout;
  await t.rejects(w.keys.import(actor, { data: Buffer.from(edGpg), source: 'gpg-ed.asc' }), { code: 'KUS_ERR_UNSUPPORTED_KEY', message: /ed25519/ });
  // An RSA primary key with a Curve25519 subkey: the cluster's library drops the whole key.
  t.equal(gpg(['--quick-gen-key', 'Mixed <mixed@kylin.example>', 'rsa2048', 'sign', 'never']).status, 0);
  const fpr = /fpr:+([0-9A-F]{40}):/.exec(gpg(['--with-colons', '--list-keys', 'mixed@kylin.example']).stdout)![1]!;
  t.equal(gpg(['--quick-add-key', fpr, 'cv25519', 'encr', 'never']).status, 0);
  const mixed = gpg(['--armor', '--export', 'mixed@kylin.example']).stdout;
  await t.rejects(w.keys.import(actor, { data: Buffer.from(mixed), source: 'mixed.asc' }), { code: 'KUS_ERR_UNSUPPORTED_KEY', message: /subkey 1 .* is ecdh/ });

  const expired = await jsKey({ name: 'old', date: new Date(Date.now() - 7200_000), expiresInSeconds: 60 });
  await t.rejects(w.keys.import(actor, { data: Buffer.from(expired.publicKey.armor()), source: 'old.asc' }), { code: 'KUS_ERR_UNSUPPORTED_KEY', message: /expired on/ });
  t.equal(w.store.signingKeys.count(), 0, 'nothing was stored');
  t.equal(refusedAudits(w.store, 'key.import'), 6, 'every refusal is audited');

  // RSA from gpg is fine, public-only and secret.
  t.equal(gpg(['--quick-gen-key', 'Offline <off@kylin.example>', 'rsa3072', 'sign', 'never']).status, 0);
  const pub = await w.keys.import(actor, { data: Buffer.from(gpg(['--armor', '--export', 'off@kylin.example']).stdout), source: 'off.asc' });
  t.match(pub.value, { name: 'off', canSign: false, algorithm: 'rsa3072' });
  t.match(pub.warnings[0], /public-only/);
  await t.rejects(w.keys.import(actor, { data: Buffer.from(gpg(['--armor', '--export', 'off@kylin.example']).stdout), source: 'off.asc', name: 'again' }),
    { code: 'KUS_ERR_CONFLICT', message: /already stored as "off"/ });
  const secret = gpg(['--armor', '--export-secret-keys', 'mixed@kylin.example']);
  t.equal(secret.status, 0);
  await t.rejects(w.keys.import(actor, { data: Buffer.from(secret.stdout), source: 'mixed-secret.asc' }), { code: 'KUS_ERR_UNSUPPORTED_KEY' });
});

t.test('uploads: accepted only when a trusted key signed that digest; each refusal stores nothing', { skip }, async (t) => {
  const w = world(t);
  addReleases(w);
  const { gpg, home } = gpgHome(t);
  t.equal(gpg(['--quick-gen-key', 'Offline <off@kylin.example>', 'rsa3072', 'sign', 'never']).status, 0);
  await w.keys.import(actor, { data: Buffer.from(gpg(['--armor', '--export', 'off@kylin.example']).stdout), source: 'off.asc', name: 'offline' });
  let n = 0;
  /** gpg on the "offline host": signs `content` with the offline key. */
  const gpgSign = (content: string, args: string[] = ['--sign']): Buffer => {
    const file = path.join(home, `claim-${++n}.json`);
    writeFileSync(file, content);
    const r = gpg(['--local-user', 'off@kylin.example', '--output', `${file}.sig`, ...args, file]);
    if (r.status !== 0) throw new Error(r.stderr);
    return readFileSync(`${file}.sig`);
  };

  // gpg --sign compresses by default; the cluster reads that too.
  const good = gpgSign(claim(DIGEST(2)));
  const ok = await w.signing.uploadSignature(actor, DIGEST(2), good);
  t.match(ok.value, { digest: DIGEST(2), index: 1, key: 'offline', source: 'uploaded' });
  t.equal(ok.changed, true);
  t.same(w.store.signatures.bytes(DIGEST(2), 1), good, 'stored byte for byte');
  const same = await w.signing.uploadSignature(actor, DIGEST(2), good);
  t.equal(same.changed, false, 'the same bytes again are not stored twice');
  const unknownDigest = await w.signing.uploadSignature(actor, DIGEST(99), gpgSign(claim(DIGEST(99))));
  t.match(unknownDigest.warnings, [/no stored release has payload digest/], 'a digest no release has is accepted with a warning');

  const plain = gpgSign(claim(DIGEST(2)), ['--compress-algo', 'none', '--sign']);
  const stranger = await jsKey({ name: 'stranger' });
  const cases: Array<[string, string, Uint8Array, RegExp]> = [
    ['garbage', DIGEST(2), Buffer.from('this is not a signature at all'), /not an OpenPGP message/],
    ['empty', DIGEST(2), Buffer.alloc(0), /it is empty/],
    ['armored', DIGEST(2), gpgSign(claim(DIGEST(2)), ['--armor', '--sign']), /ASCII-armored/],
    ['clear-signed', DIGEST(2), gpgSign(claim(DIGEST(2)), ['--clearsign']), /clear-signed/],
    ['detached', DIGEST(2), gpgSign(claim(DIGEST(2)), ['--detach-sign']), /detached signature/],
    ['a signature for another digest', DIGEST(2), gpgSign(claim(DIGEST(1))), /names digest "sha256:0+1", not sha256:0+2/],
    ['a claim with a field the cluster rejects', DIGEST(2), gpgSign(claim(DIGEST(2), { comment: 'x' })), /unknown field "optional.comment"/],
    ['wrong key (not trusted)', DIGEST(2), await jsSign(claim(DIGEST(2)), stranger.privateKey), /made by key ID [0-9A-F]{16}, which is not a trusted key/],
    ['an untrusted key, for another digest', DIGEST(2), await jsSign(claim(DIGEST(5)), stranger.privateKey), /names digest/],
    ['tampered digest inside a signed message', DIGEST(3), tamper(plain, DIGEST(2), DIGEST(3)), /does not verify/],
  ];
  const count = w.store.signatures.count();
  for (const [name, digest, bytes, reason] of cases) {
    await t.rejects(w.signing.uploadSignature(actor, digest, bytes), { code: 'KUS_ERR_INVALID_SIGNATURE', message: reason }, name);
  }
  await t.rejects(w.signing.uploadSignature(actor, 'sha256:abc', good), { code: 'KUS_ERR_INVALID_DIGEST' });
  t.equal(w.store.signatures.count(), count, 'nothing stored by any refusal');
  t.equal(refusedAudits(w.store, 'signature.upload'), cases.length + 1, 'each refusal audited');
});

/** The claim of an uncompressed signed message, edited in place: the signature no longer matches. */
function tamper(signature: Buffer, from: string, to: string): Buffer {
  const at = signature.indexOf(Buffer.from(from));
  if (at < 0) throw new Error('expected an uncompressed message holding the claim');
  const copy = Buffer.from(signature);
  Buffer.from(to).copy(copy, at);
  return copy;
}

t.test('expired keys: no new signatures, uploads refused, reported unsigned', { skip }, async (t) => {
  const w = world(t);
  addReleases(w);
  w.clock.fixed = new Date();
  const created = new Date(w.clock.now().getTime() - 60_000);
  const key = await jsKey({ name: 'short', date: created, expiresInSeconds: 3600 });
  await w.keys.import(actor, { data: Buffer.from(key.privateKey.armor()), source: 'short.asc', name: 'short' });
  const made = await jsSign(claim(DIGEST(2)), key.privateKey, w.clock.now());
  t.equal((await w.signing.uploadSignature(actor, DIGEST(1), await jsSign(claim(DIGEST(1)), key.privateKey, w.clock.now()))).changed, true, 'accepted while the key is valid');
  t.equal((await w.signing.verifyDigest(DIGEST(1))).signed, true);

  w.clock.fixed = new Date(created.getTime() + 2 * 3600_000);
  const count = w.store.signatures.count();
  await t.rejects(w.signing.uploadSignature(actor, DIGEST(2), made), { code: 'KUS_ERR_INVALID_SIGNATURE', message: /expired/ }, 'upload of a signature by an expired key');
  await t.rejects(w.signing.signRelease(actor, '1.2.1+arm64'), { code: 'KUS_ERR_UNSUPPORTED_KEY', message: /active key short .* expired on .*kus key deactivate short/ });
  t.equal(w.store.signatures.count(), count, 'nothing stored');
  const status = await w.signing.verifyDigest(DIGEST(1));
  t.equal(status.signed, false, 'its old signature no longer counts');
  t.match(status.signatures[0], { valid: false, reason: /expired/ });
  const report = await w.signing.verifyRelease('1.2.0+arm64');
  t.equal(report.ok, false);
  t.same(report.unsigned, ['1.2.0+arm64']);
  const deactivated = await w.keys.setActive(actor, 'short', false);
  t.match(deactivated.warnings, [/no key is active now/]);
});

t.test('release verify: the release and every target reachable in each channel', { skip }, async (t) => {
  const w = world(t);
  addReleases(w);
  w.publisher.addToChannel(actor, 'stable-1.2', '1.2.1');
  await w.keys.generate(actor, { name: 'k', email: 'k@kylin.example' });
  let report = await w.signing.verifyRelease('1.2.0+arm64');
  t.match(report, { ok: false, activeKeys: ['k'], unsigned: ['1.2.0+arm64', '1.2.1+arm64'] });
  t.same(report.channels.map((c) => [c.channel, c.arch, c.from, c.targets.map((x) => [x.version, x.signed, x.missing])]),
    [['stable-1.2', 'arm64', '1.2.0', [['1.2.1', false, ['k']]]]]);
  await w.signing.signRelease(actor, '1.2.1+arm64');
  report = await w.signing.verifyRelease('1.2.0+arm64');
  t.same(report.unsigned, ['1.2.0+arm64'], 'the target is signed now; the release itself is not');
  await w.signing.signRelease(actor, '1.2.0');
  report = await w.signing.verifyRelease('1.2.0+arm64');
  t.equal(report.ok, true);
  const channels = await w.signing.verifyChannels();
  t.same(channels.channels.map((c) => [c.channel, c.arch, c.nodes.map((n) => [n.version, n.signed])]).sort(),
    [['stable-1.2', 'amd64', [['1.2.1', false]]], ['stable-1.2', 'arm64', [['1.2.0', true], ['1.2.1', true]]]]);
  t.equal(channels.ok, false);
  await t.rejects(w.signing.verifyChannels('nope-1'), { code: 'KUS_ERR_NOT_FOUND' });
});

t.test('--require-signatures: an unsigned release cannot enter a channel', { skip }, async (t) => {
  const w = world(t, { requireSignatures: true });
  w.publisher.createChannel(actor, 'stable-1.2');
  w.publisher.addRelease(actor, { version: '1.2.1', arch: 'arm64', payload: PAYLOAD(2) });
  t.throws(() => w.publisher.addToChannel(actor, 'stable-1.2', '1.2.1'), { code: 'KUS_ERR_UNSIGNED', message: /1\.2\.1\+arm64 \(channel stable-1\.2\): there is no active signing key/ });
  await w.keys.generate(actor, { name: 'k', email: 'k@kylin.example' });
  t.throws(() => w.publisher.addToChannel(actor, 'stable-1.2', '1.2.1'), { code: 'KUS_ERR_UNSIGNED', message: /no signature by k.*kus release sign/ });
  t.throws(() => w.publisher.addRelease(actor, { version: '1.2.2', arch: 'arm64', payload: PAYLOAD(4), channels: ['stable-1.2'] }), { code: 'KUS_ERR_UNSIGNED' },
    'adding a release straight into a channel is refused too');
  t.same(w.publisher.listChannels()[0]!.versions, [], 'the channel is unchanged');
  t.equal(w.publisher.listReleases().length, 1, 'the refused release was not stored');
  await w.signing.signRelease(actor, '1.2.1+arm64');
  t.equal(w.publisher.addToChannel(actor, 'stable-1.2', '1.2.1').changed, true);
  t.equal(w.publisher.addRelease(actor, { version: '1.2.3', arch: 'arm64', payload: PAYLOAD(5) }).changed, true, 'releases outside channels are fine');
});

t.test('export writes graph-data and CVO layouts; import reads them back, checked', { skip }, async (t) => {
  const a = world(t);
  addReleases(a);
  await a.keys.generate(actor, { name: 'k', email: 'k@kylin.example' });
  await a.signing.signRelease(actor, '1.2.1');
  const out = path.join(a.dir, 'export');
  const cvo = path.join(a.dir, 'cvo');
  const report = exportGraphData(a.store, out, { cvoStore: cvo });
  t.match(report, { signatures: 2, keys: 1, cvoStore: cvo });
  t.same(readFileSync(path.join(out, 'signatures/sha256', HEX(2), 'signature-1')), a.store.signatures.bytes(DIGEST(2), 1));
  t.same(readFileSync(path.join(cvo, `sha256=${HEX(3)}`, 'signature-1')), a.store.signatures.bytes(DIGEST(3), 1));
  t.match(readFileSync(path.join(out, 'signatures/keys/k.asc'), 'utf8'), /^-----BEGIN PGP PUBLIC KEY BLOCK-----/);

  // Into a store that does not know the key: kept, with a warning, not counted as signed.
  const b = world(t);
  const prepared = (await readSignaturesForImport(b.store, signaturesDirOf(out), new Date()))!;
  const imported = importGraphData(b.store, { graphDataDir: out, signatures: prepared });
  t.same(imported.signatures, { read: 2, added: 2 });
  t.match(imported.warnings, [{ file: /^signatures\/sha256\/0+2\/signature-1$/, reason: /not a stored key/ }, { file: /0+3/ }]);
  t.same(b.store.signatures.list().map((s) => [s.digest, s.index, s.keyFingerprint, s.source]), [[DIGEST(2), 1, null, 'imported'], [DIGEST(3), 1, null, 'imported']]);
  t.same(b.store.signatures.bytes(DIGEST(2), 1), a.store.signatures.bytes(DIGEST(2), 1), 'bytes as exported');

  // With the key imported first, the signatures are verified and attributed.
  const c = world(t);
  await c.keys.import(actor, { data: readFileSync(path.join(out, 'signatures/keys/k.asc')), source: 'k.asc' });
  importGraphData(c.store, { graphDataDir: out, signatures: (await readSignaturesForImport(c.store, signaturesDirOf(out), new Date()))! });
  t.same(c.store.signatures.list().map((s) => s.keyFingerprint), [a.store.signingKeys.byName('k')!.fingerprint, a.store.signingKeys.byName('k')!.fingerprint]);
  t.equal((await c.signing.verifyDigest(DIGEST(2))).signed, true);
  const again = importGraphData(c.store, { graphDataDir: out, signatures: (await readSignaturesForImport(c.store, signaturesDirOf(out), new Date()))! });
  t.same(again.signatures, { read: 2, added: 0 }, 'importing again adds nothing');

  // A bad file refuses the whole import, and nothing changes.
  writeFileSync(path.join(out, 'signatures/sha256', HEX(2), 'signature-2'), 'garbage');
  const d = world(t);
  await t.rejects(readSignaturesForImport(d.store, signaturesDirOf(out), new Date()), { code: 'KUS_ERR_INVALID_SIGNATURE', message: /signature-2: it is not an OpenPGP message/ });
  t.equal(d.store.isEmpty(), true);
});
