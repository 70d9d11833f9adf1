// The signature store routes clusters read, and the signing admin routes, through buildApp and inject.
import t, { type Test as Tap } from 'tap';
import path from 'node:path';
import { buildApp } from '../src/server/app.js';
import { GraphCache } from '../src/services/graph-cache.js';
import { SigningKeys } from '../src/services/keys.js';
import { Publisher } from '../src/services/publisher.js';
import { requireSignaturesGuard } from '../src/services/signature-guard.js';
import { Signing } from '../src/services/signing.js';
import { Tokens } from '../src/services/tokens.js';
import { openStore } from '../src/store/index.js';
import { claim, jsKey, jsSign, signingSkip } from './helpers/signing.js';
import { tempTree } from './helpers/temp-tree.js';

const skip = signingSkip();
const ADMIN = '/api/admin/v1';
const HEX = (n: number): string => n.toString(16).padStart(64, '0');
const DIGEST = (n: number): string => `sha256:${HEX(n)}`;
const PAYLOAD = (n: number): string => `registry.example/kylin/release@${DIGEST(n)}`;
const silentLogger = { info() {}, warn() {}, error() {} };

async function signingApp(t: Tap, options: { requireSignatures?: boolean } = {}) {
  const store = openStore(path.join(tempTree(t), 'kus.db'));
  const cache = new GraphCache({ load: () => store.loadGraphInput(), logger: silentLogger });
  cache.rebuild();
  const publisher = new Publisher({ store, rebuild: () => cache.rebuild(), ...(options.requireSignatures ? { checkWrite: requireSignaturesGuard(store) } : {}) });
  const tokens = new Tokens({ store });
  const passphrase = (): string => 'server secret';
  const keys = new SigningKeys({ store, passphrase });
  const signing = new Signing({ store, keys, releases: (v) => publisher.getRelease(v), passphrase });
  const app = buildApp({ graphs: cache, logLevel: 'silent', admin: { publisher, tokens, signing: { signing, keys } }, signatures: signing });
  t.teardown(async () => {
    await app.close();
    store.close();
  });
  await app.ready();
  const { token } = tokens.create({ name: 'setup' }, 'tester');
  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown) =>
    app.inject({ method, url: `${ADMIN}${url}`, headers: { authorization: `Bearer ${token}` }, ...(body === undefined ? {} : { payload: body as object }) });
  publisher.createChannel({ name: 'setup' }, 'stable-1.2');
  publisher.addRelease({ name: 'setup' }, { version: '1.2.0', arch: 'arm64', payload: PAYLOAD(1), ...(options.requireSignatures ? {} : { channels: ['stable-1.2'] }) });
  publisher.addRelease({ name: 'setup' }, { version: '1.2.1', arch: 'arm64', payload: PAYLOAD(2), previous: ['1.2.0'] });
  return { app, store, call, signing };
}

t.test('the signature store: bytes as stored, 404 ends the search, 400 for malformed requests', { skip }, async (t) => {
  const { app, call, store } = await signingApp(t);
  t.equal((await call('POST', '/keys/generate', { name: 'k', email: 'k@kylin.example' })).statusCode, 200);
  t.equal((await call('POST', '/signatures/sign', { version: '1.2.0+arm64' })).statusCode, 200);
  const stored = store.signatures.bytes(DIGEST(1), 1)!;

  for (const prefix of ['/api/upgrades_info/signatures', '/signatures']) {
    const res = await app.inject({ url: `${prefix}/sha256=${HEX(1)}/signature-1`, headers: { origin: 'https://console.example' } });
    t.equal(res.statusCode, 200, prefix);
    t.equal(res.headers['content-type'], 'application/octet-stream');
    t.same(res.rawPayload, stored, 'the stored bytes');
    t.equal(res.headers['access-control-allow-origin'], 'https://console.example');
    const head = await app.inject({ method: 'HEAD', url: `${prefix}/sha256=${HEX(1)}/signature-1` });
    t.equal(head.statusCode, 200, 'HEAD');
    const missing = await app.inject({ url: `${prefix}/sha256=${HEX(1)}/signature-2` });
    t.equal(missing.statusCode, 404, 'the next index is 404: a cluster stops there');
    t.same(missing.json(), { kind: 'does_not_exist', value: `does not exist: signature sha256=${HEX(1)}/signature-2` });
    t.equal((await app.inject({ url: `${prefix}/sha256=${HEX(7)}/signature-1` })).statusCode, 404, 'an unsigned digest');
  }
  const bad: Array<[string, RegExp]> = [
    [`sha256:${HEX(1)}/signature-1`, /provided digest is in incorrect format/],
    [`${HEX(1)}/signature-1`, /provided digest is in incorrect format/],
    [`md5=${HEX(1)}/signature-1`, /algo not supported: md5/],
    [`sha256=${HEX(0xabc).toUpperCase()}/signature-1`, /incorrect format/],
    [`sha256=${HEX(1)}/signature-0`, /signature name is in incorrect format: signature-0/],
    [`sha256=${HEX(1)}/signature-01`, /signature-01/],
    [`sha256=${HEX(1)}/signature--1`, /signature--1/],
    [`sha256=${HEX(1)}/signature-1.asc`, /signature-1\.asc/],
    [`sha256=${HEX(1)}/signature-99999999999`, /signature-99999999999/],
    ['sha256=..%2f..%2f..%2fetc/passwd', /incorrect format: sha256=\.\.\/\.\.\/\.\.\/etc/],
    [`sha256=${HEX(1)}/..%2fsignature-1`, /signature name is in incorrect format: \.\.\/signature-1/],
    [`sha256=${HEX(1)}%00/signature-1`, /incorrect format/],
  ];
  for (const [tail, reason] of bad) {
    const res = await app.inject({ url: `/api/upgrades_info/signatures/${tail}` });
    t.equal(res.statusCode, 400, tail);
    t.match(res.json(), { kind: 'invalid_params', value: reason }, tail);
  }
  const traversal = await app.inject({ url: `/api/upgrades_info/signatures/sha256=${HEX(1)}/../../../etc/passwd` });
  t.equal(traversal.statusCode, 404, 'extra path segments match no route');
  t.equal(traversal.body, '', 'and get the empty 404 of unknown paths');
  t.equal((await app.inject({ url: `/api/upgrades_info/signatures/sha=${HEX(1)}/signature-1` })).statusCode, 404, 'upstream\'s "sha" algo: nothing stored under it');
});

t.test('signing admin routes: keys, sign, upload (refusals store nothing), list, verify', { skip }, async (t) => {
  const { app, call, store } = await signingApp(t);
  const routes: Array<[string, string]> = [
    ['GET', '/keys'], ['GET', '/keys/k'], ['POST', '/keys'], ['POST', '/keys/generate'], ['PUT', '/keys/k/active'],
    ['POST', '/signatures/sign'], ['POST', '/signatures'], ['GET', '/signatures'], ['GET', '/signatures/verify'],
  ];
  for (const [method, url] of routes) {
    const res = await app.inject({ method: method as 'GET', url: `${ADMIN}${url}` });
    t.equal(res.statusCode, 401, `${method} ${url} needs a token`);
  }

  let res = await call('POST', '/keys/generate', { name: 'kylin', email: 'release@kylin.example', bits: 3072 });
  t.equal(res.statusCode, 200, res.body);
  t.match(res.json(), { value: { name: 'kylin', algorithm: 'rsa3072', canSign: true, publicKey: /BEGIN PGP PUBLIC KEY BLOCK/ }, changed: true });
  t.notMatch(res.body, /PRIVATE KEY/, 'no private key in any answer');
  res = await call('POST', '/keys/generate', { name: 'weak', email: 'w@kylin.example', bits: 1024 });
  t.equal(res.statusCode, 400, 'bits outside 3072/4096');

  const ed = await jsKey({ name: 'ed', type: 'curve25519' });
  res = await call('POST', '/keys', { key: ed.publicKey.armor() });
  t.equal(res.statusCode, 400);
  t.match(res.json(), { code: 'KUS_ERR_UNSUPPORTED_KEY', message: /public key type 22/ });
  const offline = await jsKey({ name: 'offline' });
  res = await call('POST', '/keys', { key: offline.publicKey.armor(), name: 'offline' });
  t.equal(res.statusCode, 200, res.body);
  t.match(res.json(), { value: { name: 'offline', canSign: false }, warnings: [/public-only/] });

  res = await call('GET', '/keys');
  t.same(res.json().value.map((k: { name: string; active: boolean }) => [k.name, k.active]), [['kylin', true], ['offline', true]]);
  res = await call('GET', '/keys/offline');
  t.match(res.json().value.publicKey, /^-----BEGIN PGP PUBLIC KEY BLOCK-----/);
  t.equal((await call('GET', '/keys/nope')).statusCode, 404);

  res = await call('POST', '/signatures/sign', { version: '1.2.1' });
  t.equal(res.statusCode, 200, res.body);
  t.match(res.json(), { value: [{ version: '1.2.1+arm64', digest: DIGEST(2), signatures: [{ index: 1, key: 'kylin', added: true }] }], warnings: [/active key offline is public-only/], changed: true });

  const count = store.signatures.count();
  for (const [name, body, status] of [
    ['garbage', { digest: DIGEST(2), signature: Buffer.from('garbage').toString('base64') }, 422],
    ['not base64', { digest: DIGEST(2), signature: '***' }, 400],
    ['bad digest', { digest: 'sha256:xyz', signature: 'AAAA' }, 400],
    ['another digest', { digest: DIGEST(2), signature: Buffer.from(await jsSign(claim(DIGEST(1)), offline.privateKey)).toString('base64') }, 422],
  ] as Array<[string, object, number]>) {
    const r = await call('POST', '/signatures', body);
    t.equal(r.statusCode, status, `${name}: ${r.body}`);
  }
  t.equal(store.signatures.count(), count, 'no refused upload was stored');
  res = await call('POST', '/signatures', { digest: DIGEST(2), signature: Buffer.from(await jsSign(claim(DIGEST(2)), offline.privateKey)).toString('base64') });
  t.equal(res.statusCode, 200, res.body);
  t.match(res.json().value, { digest: DIGEST(2), index: 2, key: 'offline', source: 'uploaded' });

  res = await call('GET', `/signatures?digest=${DIGEST(2)}&data=true`);
  const list = res.json().value as Array<{ index: number; key: string; data: string }>;
  t.same(list.map((s) => [s.index, s.key]), [[1, 'kylin'], [2, 'offline']]);
  t.same(Buffer.from(list[0]!.data, 'base64'), store.signatures.bytes(DIGEST(2), 1), 'data is the stored bytes');
  t.equal((await call('GET', '/signatures')).json().value.length, 2);

  t.equal((await call('POST', '/channels/stable-1.2/versions', { version: '1.2.1' })).statusCode, 200);
  res = await call('GET', '/signatures/verify?version=1.2.0%2Barm64');
  t.equal(res.statusCode, 200, res.body);
  t.match(res.json().value, { ok: false, unsigned: ['1.2.0+arm64'], channels: [{ channel: 'stable-1.2', targets: [{ version: '1.2.1', signed: true }] }] });
  res = await call('GET', '/signatures/verify?channel=stable-1.2');
  t.match(res.json().value, { ok: false, unsigned: ['1.2.0+arm64'] });

  res = await call('PUT', '/keys/offline/active', { active: false });
  t.match(res.json(), { value: { name: 'offline', active: false }, changed: true });
  const audit = store.audit.list(100).map((a) => `${a.action}:${a.outcome}`);
  t.ok(audit.includes('signature.upload:refused') && audit.includes('key.import:refused') && audit.includes('release.sign:ok'), 'writes and refusals audited');

  const doc = (await app.inject({ url: '/openapi.json' })).json() as { paths: Record<string, Record<string, { operationId: string }>> };
  t.equal(doc.paths['/api/upgrades_info/signatures/{digest}/{signature}']?.get?.operationId, 'getSignature');
  t.equal(doc.paths[`${ADMIN}/signatures/sign`]?.post?.operationId, 'signRelease');
  t.equal(doc.paths[`${ADMIN}/signatures`]?.post?.operationId, 'uploadSignature');
});

t.test('--require-signatures through the admin API', { skip }, async (t) => {
  const { call } = await signingApp(t, { requireSignatures: true });
  await call('POST', '/keys/generate', { name: 'k', email: 'k@kylin.example' });
  let res = await call('POST', '/channels/stable-1.2/versions', { version: '1.2.1' });
  t.equal(res.statusCode, 409);
  t.match(res.json(), { code: 'KUS_ERR_UNSIGNED', message: /1\.2\.1\+arm64 \(channel stable-1\.2\): no signature by k/ });
  t.equal((await call('POST', '/signatures/sign', { version: '1.2.1' })).statusCode, 200);
  res = await call('POST', '/channels/stable-1.2/versions', { version: '1.2.1' });
  t.equal(res.statusCode, 200, res.body);
});
