// The signature formats without keys: digests and store paths, the simple-signing claim check, ConfigMap rendering,
// signature trees read from a directory and from an archive's files.
import t from 'tap';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { memoryTree } from '../src/graph-data/index.js';
import { signaturesIn } from '../src/services/unpacked-graph-data.js';
import {
  checkClaim, claimText, configMapPrefix, parseStoreRequest, readSignatureTree, renderManifests, requireDigest, signatureConfigMap,
  signatureDirectory, signatureIndex, storeSegment, storeUrlProblem, verifierConfigMap,
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

t.test('a signature tree reads the same from a directory and from an archive\'s files', async (t) => {
  const root = t.testdir({});
  const hex = (n: number): string => n.toString(16).padStart(64, '0');
  const put = (rel: string, content: string | Buffer): void => {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), content);
  };
  put(`signatures/sha256/${hex(1)}/signature-1`, 'one');
  put(`signatures/sha256/${hex(1)}/signature-3`, 'three, after a gap');
  put(`signatures/sha256/${hex(1)}/signature-x`, 'not a signature name');
  put(`signatures/sha256/${hex(1)}/.hidden`, 'skipped');
  put(`signatures/sha256/${hex(2)}/signature-1`, Buffer.alloc(60 * 1024, 1));
  put(`signatures/sha256/${hex(3)}`, 'a file where a folder should be');
  put('signatures/sha256/NOT-HEX/signature-1', 'a folder that is not a digest');
  put(`signatures/sha512/${hex(4)}/signature-1`, 'another algorithm');
  put('signatures/keys/primary.asc', 'a key, not a signature');
  put('signatures/README.md', 'a plain file at the top');
  put('channels/stable-1.0.yaml', 'name: stable-1.0\nversions: []\n');
  mkdirSync(path.join(root, `signatures/sha256/${hex(5)}`), { recursive: true });

  // The tree as readTar gives it: every file with its bytes, and every folder.
  const files: Array<{ path: string; bytes: Uint8Array }> = [];
  const directories: string[] = [];
  const walk = (rel: string): void => {
    for (const name of readdirSync(path.join(root, rel))) {
      const child = rel === '' ? name : `${rel}/${name}`;
      if (statSync(path.join(root, child)).isDirectory()) {
        directories.push(child);
        walk(child);
      } else {
        files.push({ path: child, bytes: readFileSync(path.join(root, child)) });
      }
    }
  };
  walk('');

  const fromDisk = readSignatureTree(path.join(root, 'signatures'));
  const inMemory = signaturesIn(memoryTree(files, directories), 'archive/signatures');
  t.ok(inMemory.exists(), 'the archive has a signatures folder');
  const fromFiles = readSignatureTree(inMemory);
  const plain = (r: typeof fromDisk): unknown => ({ ...r, files: r.files.map((f) => ({ ...f, bytes: Buffer.from(f.bytes).toString('base64') })) });
  t.same(plain(fromFiles), plain(fromDisk), 'the same signatures and the same problems');
  t.same(fromDisk.files.map((f) => f.file), [`sha256/${hex(1)}/signature-1`, `sha256/${hex(1)}/signature-3`], 'two signatures read');
  t.equal(fromDisk.problems.length, 6, 'and six problems reported: a name, a gap, a size, a file, a folder, an algorithm');
  t.same(inMemory.entries('keys'), ['primary.asc'], 'the keys folder lists as on disk');
  t.same(signatureDirectory(path.join(root, 'signatures')).entries('keys'), ['primary.asc'], 'as the directory reader lists it');

  t.notOk(signaturesIn(memoryTree(files.filter((f) => !f.path.startsWith('signatures')), ['channels']), 'x').exists(), 'no signatures folder: none');
  t.ok(signaturesIn(memoryTree([], ['signatures']), 'x').exists(), 'an empty signatures folder exists');
  t.throws(() => readSignatureTree(signaturesIn(memoryTree([{ path: `signatures/sha256/${hex(1)}/signature-1/x`, bytes: Buffer.from('') }], []), 'archive/signatures')),
    { code: 'KUS_ERR_IO', message: /archive\/signatures/ }, 'a folder named as a signature cannot be read, as on disk');
});
