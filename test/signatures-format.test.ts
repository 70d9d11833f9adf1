// The signature formats without keys: digests and store paths, the simple-signing claim check, ConfigMap rendering.
import t from 'tap';
import { parse, parseAllDocuments } from 'yaml';
import {
  checkClaim, claimText, configMapPrefix, parseStoreRequest, renderManifests, requireDigest, signatureConfigMap, signatureIndex,
  storeSegment, storeUrlProblem, verifierConfigMap,
} from '../src/signatures/index.js';

const HEX = '296be28e6051ed6f8e11695893ba9fdf7622359ada2355658dc4e0b0294fd0f2';
const DIGEST = `sha256:${HEX}`;
const bytes = (text: string): Uint8Array => Buffer.from(text, 'utf8');

t.test('digests, signature names and store request paths', async (t) => {
  t.equal(requireDigest(` ${DIGEST} `), DIGEST, 'blanks dropped');
  for (const bad of ['sha256:ABC', `sha512:${HEX}`, HEX, `sha256:${HEX.toUpperCase()}`, `sha256:${HEX}0`, 42]) {
    t.throws(() => requireDigest(bad), { code: 'KUS_ERR_INVALID_DIGEST' }, `refused: ${String(bad)}`);
  }
  t.equal(storeSegment(DIGEST), `sha256=${HEX}`);
  t.equal(configMapPrefix(DIGEST), `sha256-${HEX}`);
  t.equal(signatureIndex('signature-1'), 1);
  t.equal(signatureIndex('signature-10'), 10);
  for (const bad of ['signature-0', 'signature-01', 'signature-', 'signature-+1', 'signature-1a', 'signature-1/..', 'sig-1', 'signature-1234567890']) {
    t.equal(signatureIndex(bad), null, `not a signature name: ${bad}`);
  }
  t.same(parseStoreRequest(`sha256=${HEX}`, 'signature-3'), { ok: true, digest: DIGEST, index: 3 });
  t.same(parseStoreRequest(`sha=${HEX}`, 'signature-1'), { ok: true, digest: `sha:${HEX}`, index: 1 }, 'upstream also accepts the algo "sha"');
  t.match(parseStoreRequest(HEX, 'signature-1'), { ok: false, reason: /provided digest is in incorrect format/ });
  t.match(parseStoreRequest(`sha256=a=b`, 'signature-1'), { ok: false, reason: /incorrect format/ });
  t.match(parseStoreRequest(`md5=${HEX}`, 'signature-1'), { ok: false, reason: 'algo not supported: md5' });
  t.match(parseStoreRequest('sha256=../..', 'signature-1'), { ok: false, reason: /incorrect format/ });
  t.match(parseStoreRequest(`sha256=${HEX}`, '../signature-1'), { ok: false, reason: /signature name/ });
});

t.test('the claim KUS signs is exactly the keys of signatures.md §2', async (t) => {
  const text = claimText({ digest: DIGEST, reference: 'registry.example/kylin/release', creator: 'Kylin Update Service 0.1.0', timestamp: 1732500000.9 });
  t.same(JSON.parse(text), {
    critical: {
      type: 'atomic container signature',
      image: { 'docker-manifest-digest': DIGEST },
      identity: { 'docker-reference': 'registry.example/kylin/release' },
    },
    optional: { creator: 'Kylin Update Service 0.1.0', timestamp: 1732500000 },
  });
  t.match(checkClaim(bytes(text), DIGEST), { ok: true, claim: { digest: DIGEST, reference: 'registry.example/kylin/release', timestamp: 1732500000 } });
});

t.test('claims are checked as strictly as the cluster checks them', async (t) => {
  const claim = (critical: object, optional?: object): Uint8Array => bytes(JSON.stringify(optional ? { critical, optional } : { critical }));
  const good = { type: 'atomic container signature', image: { 'docker-manifest-digest': DIGEST }, identity: { 'docker-reference': 'r/x' } };
  t.match(checkClaim(claim(good), DIGEST), { ok: true }, 'optional may be absent');
  t.match(checkClaim(claim(good, { creator: 'Red Hat' }), DIGEST), { ok: true }, 'timestamp may be absent');
  t.match(checkClaim(bytes(JSON.stringify({ Critical: good })), DIGEST), { ok: true }, 'Go matches field names case-insensitively');
  const refusals: Array<[string, Uint8Array, RegExp]> = [
    ['another digest', claim({ ...good, image: { 'docker-manifest-digest': `sha256:${'0'.repeat(64)}` } }), /names digest "sha256:0{64}", not sha256:296b/],
    ['extra optional key', claim(good, { creator: 'x', comment: 'hi' }), /unknown field "optional.comment"/],
    ['extra critical key', claim({ ...good, extra: 1 }), /unknown field "critical.extra"/],
    ['extra top-level key', bytes(JSON.stringify({ critical: good, extra: {} })), /unknown field "extra"/],
    ['wrong type', claim({ ...good, type: 'something else' }), /critical.type/],
    ['empty identity', claim({ ...good, identity: { 'docker-reference': '' } }), /docker-reference/],
    ['timestamp not an integer', claim(good, { timestamp: 1.5 }), /timestamp must be an integer/],
    ['creator not a string', claim(good, { creator: 7 }), /creator must be a string/],
    ['not JSON', bytes('{"critical":'), /not the JSON/],
    ['not an object', bytes('[1,2]'), /not a JSON object/],
  ];
  for (const [name, content, reason] of refusals) t.match(checkClaim(content, DIGEST), { ok: false, reason }, name);
});

t.test('signature ConfigMaps are what oc builds: one per digest, binaryData keys from 1, never folded', async (t) => {
  const sigA = Buffer.alloc(900, 1);
  const sigB = Buffer.alloc(10, 2);
  const map = signatureConfigMap(DIGEST, [{ index: 2, bytes: sigB }, { index: 1, bytes: sigA }]);
  t.same(map, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `sha256-${HEX}`, namespace: 'openshift-config-managed', labels: { 'release.openshift.io/verification-signatures': '' } },
    binaryData: { [`sha256-${HEX}-1`]: sigA.toString('base64'), [`sha256-${HEX}-2`]: sigB.toString('base64') },
  });
  const other = signatureConfigMap(`sha256:${'a'.repeat(64)}`, [{ index: 1, bytes: sigB }]);
  const yaml = renderManifests([map, other]);
  const docs = parseAllDocuments(yaml).map((d) => d.toJSON() as typeof map);
  t.equal(docs.length, 2, 'multi-document YAML');
  t.same(docs[0], map, 'YAML round-trips: the long base64 line is not folded');
  t.match(yaml, /labels:\n {4}release\.openshift\.io\/verification-signatures: ""\n/);
});

t.test('the verifier ConfigMap: annotation, profiles, one key entry per active key, the store', async (t) => {
  const map = verifierConfigMap({
    name: 'release-verification',
    storeName: 'kylin-update-service',
    storeUrl: ' https://kus.example/api/upgrades_info/signatures ',
    keys: [{ name: 'a', publicKey: '-----BEGIN PGP PUBLIC KEY BLOCK-----\nxx\n-----END PGP PUBLIC KEY BLOCK-----' }, { name: 'b', publicKey: 'k2\n' }],
  });
  t.same(parse(renderManifests([map])), {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'release-verification',
      namespace: 'openshift-config-managed',
      annotations: {
        'release.openshift.io/verification-config-map': '',
        'include.release.openshift.io/self-managed-high-availability': 'true',
        'include.release.openshift.io/single-node-developer': 'true',
      },
    },
    data: {
      'verifier-public-key-a': '-----BEGIN PGP PUBLIC KEY BLOCK-----\nxx\n-----END PGP PUBLIC KEY BLOCK-----\n',
      'verifier-public-key-b': 'k2\n',
      'store-kylin-update-service': 'https://kus.example/api/upgrades_info/signatures',
    },
  });
  const base = { name: 'release-verification', storeName: 's', storeUrl: 'https://x/y', keys: [{ name: 'a', publicKey: 'k' }] };
  t.throws(() => verifierConfigMap({ ...base, keys: [] }), /no active signing key/, 'a verifier without a key would stop the CVO');
  t.throws(() => verifierConfigMap({ ...base, storeUrl: 'ftp://x/y' }), /http, https or file/);
  t.throws(() => verifierConfigMap({ ...base, name: 'Bad_Name' }), /not a ConfigMap name/);
  t.throws(() => verifierConfigMap({ ...base, storeName: 'a b' }), /store-name/);
  t.equal(storeUrlProblem('file:///var/lib/sigs'), null, 'file:// stores are allowed in a verifier');
});
