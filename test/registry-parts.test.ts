// The registry client's parsers: pull specs, pull secrets, auth challenges, Link headers, tar archives, release-metadata.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { KusError } from '../src/errors/index.js';
import { parseChallenges, schemeFrom, TokenCache } from '../src/registry/auth.js';
import { nextLink } from '../src/registry/client.js';
import { credentialsFor, goArch, parseDockerConfig, parsePullSpec, parseReleaseMetadata, parseRepository, readDockerConfigFile } from '../src/registry/index.js';
import { scanLayer } from '../src/registry/layer-scan.js';
import { scanTar } from '../src/tar/index.js';
import { sha256, tar } from './helpers/images.js';
import { tempTree } from './helpers/temp-tree.js';

const HEX = 'ab'.repeat(32);

t.test('pull specs', async (t) => {
  t.same(parsePullSpec('quay.example:5000/ocp/release:4.9.1'), { registry: 'quay.example:5000', repository: 'ocp/release', tag: '4.9.1', digest: null });
  t.same(parsePullSpec(`quay.example/ocp/release@sha256:${HEX}`), { registry: 'quay.example', repository: 'ocp/release', tag: null, digest: `sha256:${HEX}` });
  t.same(parsePullSpec(`localhost:5000/r:t@sha256:${HEX}`), { registry: 'localhost:5000', repository: 'r', tag: 't', digest: `sha256:${HEX}` }, 'tag and digest');
  t.same(parsePullSpec('busybox'), { registry: 'docker.io', repository: 'library/busybox', tag: 'latest', digest: null }, 'docker.io defaults');
  t.same(parsePullSpec('index.docker.io/org/img:1'), { registry: 'docker.io', repository: 'org/img', tag: '1', digest: null }, 'index.docker.io is docker.io');
  t.same(parsePullSpec('org/img'), { registry: 'docker.io', repository: 'org/img', tag: 'latest', digest: null }, 'two parts without a dot: docker.io');
  t.same(parsePullSpec('docker://127.0.0.1:5000/a/b:c').registry, '127.0.0.1:5000', 'docker:// prefix');
  for (const bad of ['', 'Quay.io/UPPER/x', 'quay.io/a:bad tag', 'quay.io/a@sha256:short', 'quay.io/a@md5:abc', 'quay.io/:x', 'bad_host:x:1/a']) {
    t.throws(() => parsePullSpec(bad), { code: 'KUS_ERR_INVALID_PULL_SPEC' }, `refused: ${JSON.stringify(bad)}`);
  }
  t.same(parseRepository('quay.example:5000/ocp/release'), { registry: 'quay.example:5000', repository: 'ocp/release' });
  t.throws(() => parseRepository('quay.example/ocp/release:4.9'), { code: 'KUS_ERR_INVALID_PULL_SPEC', message: /carries a tag or digest/ });
});

t.test('pull secrets', async (t) => {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  const config = parseDockerConfig({
    auths: {
      'https://index.docker.io/v1/': { auth: b64('hub:pw1') },
      'Quay.Example:5000': { auth: b64('q:pw:with:colons') },
      'quay.example:5000/special': { username: 'sp', password: 'pw3' },
      'helper.example': { identitytoken: 'x' },
    },
  }, 'test');
  t.same(credentialsFor(config, 'docker.io', 'library/x'), { username: 'hub', password: 'pw1' }, 'docker.io aliases');
  t.same(credentialsFor(config, 'quay.example:5000', 'ocp/release'), { username: 'q', password: 'pw:with:colons' }, 'host entry, password with colons');
  t.same(credentialsFor(config, 'quay.example:5000', 'special/repo'), { username: 'sp', password: 'pw3' }, 'the most specific path wins');
  t.equal(credentialsFor(config, 'helper.example', 'x'), null, 'identity tokens are not usable');
  t.equal(credentialsFor(config, 'other.example', 'x'), null);
  t.throws(() => parseDockerConfig({ quay: {} }, 'f'), { code: 'KUS_ERR_BAD_REQUEST', message: /not a dockerconfigjson/ });
  t.throws(() => parseDockerConfig({ auths: { h: { auth: b64('nocolon') } } }, 'f'), { code: 'KUS_ERR_BAD_REQUEST', message: /"h" has an "auth" that is not base64/ });
  const dir = tempTree(t, { 'bad.json': '{', 'ok.json': JSON.stringify({ auths: { h: { auth: b64('u:p') } } }) });
  t.throws(() => readDockerConfigFile(path.join(dir, 'bad.json')), { code: 'KUS_ERR_BAD_REQUEST', message: /is not JSON/ });
  t.throws(() => readDockerConfigFile(path.join(dir, 'missing.json')), { code: 'KUS_ERR_IO' });
  t.same(credentialsFor(readDockerConfigFile(path.join(dir, 'ok.json')), 'h', 'r'), { username: 'u', password: 'p' });
});

t.test('WWW-Authenticate challenges', async (t) => {
  const [bearer] = parseChallenges('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"');
  t.same(bearer, { scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull' } });
  const two = parseChallenges('Basic realm="x y", Bearer realm="https://a/t", error="invalid_token"');
  t.same(two.map((c) => c.scheme), ['basic', 'bearer'], 'several challenges in one header');
  t.same(parseChallenges('Basic realm="say \\"hi\\""')[0]!.params.realm, 'say "hi"', 'escaped quotes');
  t.same(parseChallenges('Bearer realm=https://a/t, service=svc')[0]!.params, { realm: 'https://a/t', service: 'svc' }, 'unquoted values');
  t.same(schemeFrom(two, 'repository:r:pull'), { kind: 'bearer', realm: 'https://a/t', service: undefined, scope: 'repository:r:pull' }, 'Bearer preferred; default scope');
  t.same(schemeFrom(parseChallenges('Basic realm="r"'), 's'), { kind: 'basic', realm: 'r' });
  t.equal(schemeFrom(parseChallenges('Negotiate'), 's'), null);
});

t.test('bearer tokens are cached until shortly before they expire', async (t) => {
  let now = 1_000_000;
  const cache = new TokenCache(() => now);
  cache.set('k', 'tok', 60);
  t.equal(cache.get('k'), 'tok');
  now += 49_000;
  t.equal(cache.get('k'), 'tok', 'still valid 49 s later');
  now += 2_000;
  t.equal(cache.get('k'), null, 'renewed 10 s before expiry');
  cache.set('k', 'tok2', undefined);
  now += 40_000;
  t.equal(cache.get('k'), 'tok2', 'no expires_in: 60 s');
});

t.test('Link headers', async (t) => {
  const base = new URL('http://r.example/v2/a/tags/list?n=2');
  t.equal(nextLink('</v2/a/tags/list?last=b&n=2>; rel="next"', base)?.href, 'http://r.example/v2/a/tags/list?last=b&n=2');
  t.equal(nextLink('<http://r.example/x?a=1,2>; rel="prev", </next>; rel=next', base)?.href, 'http://r.example/next');
  t.equal(nextLink(undefined, base), null);
  t.equal(nextLink('</x>; rel="prev"', base), null);
});

t.test('architectures as Go names', async (t) => {
  t.same(['x86_64', 'aarch64', 'amd64', 'ARM64', 'ppc64le', 's390x', 'i686', 'armv7l'].map(goArch), ['amd64', 'arm64', 'amd64', 'arm64', 'ppc64le', 's390x', '386', 'arm']);
});

t.test('release-metadata documents', async (t) => {
  const doc = (v: unknown): ReturnType<typeof parseReleaseMetadata> => parseReleaseMetadata(Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)));
  t.same(doc({ kind: 'cincinnati-metadata-v0', version: '4.9.1+amd64', previous: ['4.9.0'], metadata: { a: 'b' }, extra: 1 }),
    { ok: true, doc: { version: '4.9.1', previous: ['4.9.0'], next: [], metadata: { a: 'b' } } }, 'valid; build metadata dropped; unknown fields ignored');
  const problems: Array<[unknown, RegExp]> = [
    ['{', /not JSON/],
    [[], /not a JSON object/],
    [{ kind: 'x', version: '1.0.0' }, /"kind" is "x"/],
    [{ kind: 'cincinnati-metadata-v0', version: '1.0' }, /"version" "1.0" is not a SemVer/],
    [{ kind: 'cincinnati-metadata-v0', version: ' 1.0.0' }, /not a SemVer/],
    [{ kind: 'cincinnati-metadata-v0', version: '1.0.0', previous: ['x'] }, /"previous" lists "x"/],
    [{ kind: 'cincinnati-metadata-v0', version: '1.0.0', next: 'x' }, /"next" is not a list/],
    [{ kind: 'cincinnati-metadata-v0', version: '1.0.0', metadata: { a: 1 } }, /metadata "a" is 1, not a string/],
  ];
  for (const [input, re] of problems) {
    const r = doc(input);
    t.equal(r.ok, false, `refused: ${JSON.stringify(input)}`);
    if (!r.ok) t.match(r.problem, re);
  }
});

/** Collects the files the reader reports, feeding it in small pieces to exercise chunk boundaries. */
async function readTar(bytes: Buffer, chunk = 97): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const pieces = function* (): Generator<Buffer> {
    for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
  };
  await scanTar(Readable.from(pieces()), { wants: (e) => (e.type === 'file' ? 1 << 20 : 0), file: (e, body) => out.set(e.path, body.toString()) },
    { fail: (why) => new KusError('KUS_ERR_NOT_A_RELEASE', `layer is not a tar archive: ${why}`), allowUnknownFormat: true });
  return out;
}

t.test('tar reader', async (t) => {
  const ustar = await tar([{ path: 'a/', type: '5' }, { path: 'a/one', body: 'x'.repeat(700) }, { path: './a/two', body: '' }, { path: 'a/link', type: '2' }]);
  t.same([...(await readTar(ustar))], [['a/one', 'x'.repeat(700)], ['a/two', '']], 'files only; leading ./ removed');
  t.same([...(await readTar(ustar, 1))], [['a/one', 'x'.repeat(700)], ['a/two', '']], 'byte by byte');
  const broken = Buffer.from(ustar);
  broken[10] = 0x41;
  await t.rejects(readTar(broken), { code: 'KUS_ERR_NOT_A_RELEASE', message: /checksum/ }, 'a corrupted header');
  await t.rejects(readTar(ustar.subarray(0, 1200)), { message: /ends inside the entry "a\/one"/ }, 'a truncated archive');
  await t.rejects(readTar(Buffer.from('hello world'.repeat(100))), { message: /not a tar archive/ }, 'not a tar');

  // GNU tar's own archives: pax headers and GNU long names for paths over 100 bytes.
  const gnuTar = spawnSync('tar', ['--version']).status === 0;
  t.test('archives written by GNU tar', { skip: gnuTar ? false : 'no tar binary' }, async (t) => {
    const dir = tempTree(t);
    const long = `${'d'.repeat(60)}/${'e'.repeat(60)}`;
    mkdirSync(path.join(dir, 'src', long), { recursive: true });
    mkdirSync(path.join(dir, 'src', 'release-manifests'));
    writeFileSync(path.join(dir, 'src', long, 'file-with-a-long-name'), 'deep');
    writeFileSync(path.join(dir, 'src', 'release-manifests', 'release-metadata'), '{"kind":"cincinnati-metadata-v0","version":"1.2.3"}');
    writeFileSync(path.join(dir, 'src', 'ünïcødé'), 'utf8');
    // GNU incremental archives keep atime and ctime where ustar has its name prefix: a reader that takes them for a
    // prefix reads "15304461267/release-manifests/release-metadata".
    for (const format of ['pax', 'gnu', 'ustar', 'gnu-incremental']) {
      const file = path.join(dir, `${format}.tar`);
      const args = format === 'gnu-incremental'
        ? ['-C', path.join(dir, 'src'), '--format', 'gnu', `--listed-incremental=${path.join(dir, 'snapshot')}`, '-cf', file, '.']
        : ['-C', path.join(dir, 'src'), '--format', format, '-cf', file, '.'];
      const r = spawnSync('tar', args, { encoding: 'utf8' });
      if (format === 'ustar') {
        // ustar cannot hold a 120-byte directory name in its fields; GNU tar says so and leaves it out.
        t.ok(r.status !== null, 'ustar ran');
      } else t.equal(r.status, 0, `tar --format ${format}: ${r.stderr}`);
      const files = await readTar(readFileSync(file), 4096);
      t.same([...files.keys()].filter((p) => p.endsWith('release-metadata')), ['release-manifests/release-metadata'], `${format}: the path as stored`);
      t.equal(files.get('release-manifests/release-metadata'), '{"kind":"cincinnati-metadata-v0","version":"1.2.3"}', `${format}: the document`);
      if (format !== 'ustar') t.equal(files.get(`${long}/file-with-a-long-name`), 'deep', `${format}: a long path`);
      t.equal(files.get('ünïcødé'), 'utf8', `${format}: a UTF-8 name`);
    }
  });
});

t.test('layer scan: gzip or plain, digest of the compressed bytes, whiteouts', async (t) => {
  const body = await tar([{ path: 'release-manifests/release-metadata', body: '{"v":1}' }, { path: 'release-manifests/release-metadata', body: '{"v":2}' }]);
  const gz = gzipSync(body);
  const chunks = (b: Buffer): Readable => Readable.from([b.subarray(0, 2), b.subarray(2, 3), b.subarray(3)]);
  const scan = await scanLayer(chunks(gz));
  t.equal(scan.metadata?.toString(), '{"v":2}', 'the last copy in the layer');
  t.equal(scan.digest, sha256(gz), 'digest of the bytes as stored');
  const plain = await scanLayer(chunks(body));
  t.equal(plain.metadata?.toString(), '{"v":2}', 'an uncompressed layer');
  t.equal(plain.digest, sha256(body));
  const wh = await scanLayer(Readable.from([gzipSync(await tar([{ path: 'release-manifests/.wh..wh..opq' }]))]));
  t.same([wh.metadata, wh.hidesBelow], [null, true], 'an opaque directory hides the layers below');
  const zstd = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0]);
  await t.rejects(scanLayer(Readable.from([zstd])), { code: 'KUS_ERR_NOT_A_RELEASE', message: /zstd/ });
  const cut = await scanLayer(Readable.from([gz.subarray(0, gz.length - 30)])).then(() => null, (e: unknown) => e);
  t.ok(cut instanceof Error && !(cut instanceof KusError), 'a cut gzip stream is a transfer error, not a verdict on the image');
});
