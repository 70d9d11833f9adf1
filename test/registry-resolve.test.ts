// resolveRelease against a real docker-registry on 127.0.0.1: tags, digests, Docker and OCI images, lists, refusals.
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { KusError } from '../src/errors/index.js';
import { listTags, RegistryClient, resolveRelease } from '../src/registry/index.js';
import { image, manifestList, releaseFiles, releaseImage } from './helpers/images.js';
import { PASSWORD, registrySkip, startRegistry, USER } from './helpers/registry.js';

const skip = registrySkip();

async function refusal(t: Test, p: Promise<unknown>, code: string, pattern: RegExp, what: string): Promise<void> {
  const err = await p.then(() => null, (e: unknown) => e);
  t.ok(err instanceof KusError, `${what}: a KusError`);
  if (err instanceof KusError) {
    t.equal(err.code, code, `${what}: ${code}`);
    t.match(err.message, pattern, `${what}: message names the cause`);
  }
}

t.test('an open registry', { skip }, async (t) => {
  const reg = await startRegistry(t);
  const opts = { insecure: true };
  const repo = `${reg.host}/ocp/release`;

  t.test('by tag and by digest (Docker schema 2)', async (t) => {
    const img = await releaseImage({ version: '4.9.1', previous: ['4.9.0'], next: [], metadata: { url: 'https://errata.example/4.9.1' } }, 'x86_64');
    const digest = await reg.push('ocp/release', '4.9.1', img);
    const byTag = await resolveRelease(`${repo}:4.9.1`, opts);
    t.same(byTag, {
      payload: `${repo}@${digest}`,
      digest,
      arch: 'amd64',
      doc: { version: '4.9.1', previous: ['4.9.0'], next: [], metadata: { url: 'https://errata.example/4.9.1' } },
    }, 'payload by digest, arch mapped to Go, document read');
    const byDigest = await resolveRelease(`${repo}@${digest}`, opts);
    t.same(byDigest, byTag, 'the same by digest');
    const both = await resolveRelease(`docker://${repo}:ignored@${digest}`, opts);
    t.equal(both.digest, digest, 'a digest wins over a tag; docker:// is accepted');
  });

  t.test('OCI manifest, uncompressed layers, build metadata dropped', async (t) => {
    const img = await image({ arch: 'aarch64', oci: true, plainLayers: true, layers: [releaseFiles({ version: '4.9.2+whatever' })] });
    const digest = await reg.push('ocp/release', '4.9.2-arm', img);
    const r = await resolveRelease(`${repo}:4.9.2-arm`, opts);
    t.equal(r.digest, digest);
    t.equal(r.arch, 'arm64', 'aarch64 → arm64');
    t.equal(r.doc.version, '4.9.2', 'build metadata of the document version is replaced by the arch later');
  });

  t.test('a layer written by GNU tar --listed-incremental (GNU headers with atime and ctime)', async (t) => {
    const dir = t.testdir({ src: { 'release-manifests': { 'release-metadata': JSON.stringify({ kind: 'cincinnati-metadata-v0', version: '4.9.7', previous: ['4.9.1'] }) } } });
    const layer = path.join(dir, 'layer.tar');
    const made = spawnSync('tar', ['--format=gnu', `--listed-incremental=${path.join(dir, 'snapshot')}`, '-C', path.join(dir, 'src'), '-cf', layer, '.'], { encoding: 'utf8' });
    t.equal(made.status, 0, `GNU tar made the layer: ${made.stderr}`);
    const img = await image({ arch: 'amd64', layers: [[{ path: 'etc/os-release', body: 'ID=kylin\n' }], readFileSync(layer)] });
    const digest = await reg.push('ocp/release', '4.9.7-gnu', img);
    const r = await resolveRelease(`${repo}:4.9.7-gnu`, opts);
    t.equal(r.digest, digest);
    t.same(r.doc, { version: '4.9.7', previous: ['4.9.1'], next: [], metadata: {} }, 'release-manifests/release-metadata found and read');
  });

  t.test('the newest layer with a valid document wins; an invalid one above a valid one is passed over', async (t) => {
    const img = await image({
      arch: 'amd64',
      layers: [releaseFiles({ version: '4.9.3' }), [{ path: 'release-manifests/release-metadata', body: '{"kind":"wrong"}' }]],
    });
    await reg.push('ocp/release', 'layered', img);
    t.equal((await resolveRelease(`${repo}:layered`, opts)).doc.version, '4.9.3');
    const newer = await image({ arch: 'amd64', layers: [releaseFiles({ version: '4.9.3' }), releaseFiles({ version: '4.9.4' })] });
    await reg.push('ocp/release', 'newer', newer);
    t.equal((await resolveRelease(`${repo}:newer`, opts)).doc.version, '4.9.4', 'top-most layer first');
    const deleted = await image({ arch: 'amd64', layers: [releaseFiles({ version: '4.9.3' }), [{ path: 'release-manifests/.wh.release-metadata' }]] });
    await reg.push('ocp/release', 'whiteout', deleted);
    await refusal(t, resolveRelease(`${repo}:whiteout`, opts), 'KUS_ERR_NOT_A_RELEASE', /whiteout/, 'a whiteout hides the lower document');
  });

  t.test('manifest lists', async (t) => {
    const amd = await releaseImage({ version: '4.10.0', metadata: { 'release.openshift.io/architecture': 'multi' } }, 'amd64');
    const arm = await image({ arch: 'arm64', layers: [releaseFiles({ version: '4.10.0', previous: ['4.9.9'], metadata: { 'release.openshift.io/architecture': 'multi' } })] });
    const list = manifestList([{ image: amd, arch: 'amd64' }, { image: arm, arch: 'arm64' }]);
    const digest = await reg.push('ocp/release', '4.10.0-multi', list);
    const r = await resolveRelease(`${repo}:4.10.0-multi`, opts);
    t.equal(r.arch, 'multi', 'two images make multi');
    t.equal(r.digest, digest, 'the payload is the list');
    t.same(r.doc.previous, ['4.9.9'], 'metadata from the last entry, as upstream');

    await refusal(t, resolveRelease(`${repo}@${amd.manifest.digest}`, opts), 'KUS_ERR_NOT_A_RELEASE', /multi-architecture release.*manifest list/,
      'a single-arch shard of a multi release');

    const single = manifestList([{ image: await releaseImage({ version: '4.10.1' }, 's390x', true), arch: 's390x' }], true);
    await reg.push('ocp/release', '4.10.1-one', single);
    const one = await resolveRelease(`${repo}:4.10.1-one`, opts);
    t.equal(one.arch, 's390x', 'a one-entry OCI index resolves to its image');
    t.equal(one.digest, single.manifest.digest);

    const override = await releaseImage({ version: '4.10.2', metadata: { 'release.openshift.io/architecture': 'ppc64le' } }, 'amd64');
    await reg.push('ocp/release', 'override', override);
    t.equal((await resolveRelease(`${repo}:override`, opts)).arch, 'ppc64le', 'release.openshift.io/architecture overrides');
  });

  t.test('images that are not releases', async (t) => {
    await reg.push('ocp/component', 'v1', await image({ arch: 'amd64', layers: [[{ path: 'usr/bin/thing', body: 'x' }]] }));
    await refusal(t, resolveRelease(`${reg.host}/ocp/component:v1`, opts), 'KUS_ERR_NOT_A_RELEASE',
      /ocp\/component:v1 \(sha256:[0-9a-f]{64}\) is not a release image: none of its 1 layers holds release-manifests\/release-metadata/, 'a component image');
    const sig = await image({ arch: '', configMediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', layers: [] });
    await reg.push('ocp/release', `sha256-${'a'.repeat(64)}.sig`, sig);
    await refusal(t, resolveRelease(`${repo}:sha256-${'a'.repeat(64)}.sig`, opts), 'KUS_ERR_NOT_A_RELEASE', /not a container image/, 'a cosign signature');
    await reg.push('ocp/release', 'bad-doc', await releaseImage({ version: 'not-semver' }));
    await refusal(t, resolveRelease(`${repo}:bad-doc`, opts), 'KUS_ERR_NOT_A_RELEASE', /"version" "not-semver" is not a SemVer version/, 'an invalid document');
    await refusal(t, resolveRelease(`${repo}:no-such-tag`, opts), 'KUS_ERR_NOT_FOUND', /has no manifest "no-such-tag" in ".*ocp\/release"/, 'an unknown tag');
    await refusal(t, listTags(`${reg.host}/nope/nothing`, opts), 'KUS_ERR_NOT_FOUND', /has no repository "127\.0\.0\.1:\d+\/nope\/nothing"/, 'an unknown repository');
    await refusal(t, resolveRelease(`${repo}:4.9.1`), 'KUS_ERR_REGISTRY', /cannot reach registry.*--insecure/, 'HTTPS to a plain-HTTP registry');
    await refusal(t, resolveRelease('Bad Spec', opts), 'KUS_ERR_INVALID_PULL_SPEC', /"Bad Spec"/, 'a malformed pull spec');
  });

  t.test('a registry that sends no Docker-Content-Digest: the digest is computed from the bytes', async (t) => {
    const img = await releaseImage({ version: '4.9.5' });
    const digest = await reg.push('ocp/release', '4.9.5', img);
    // A proxy in front of the real registry that drops the header, as some registries and caches do.
    const proxy = http.createServer((req, res) => {
      const up = http.request(`${reg.url}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
        const headers = { ...r.headers };
        delete headers['docker-content-digest'];
        res.writeHead(r.statusCode ?? 502, headers);
        r.pipe(res);
      });
      req.pipe(up);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    t.teardown(() => new Promise<void>((resolve) => proxy.close(() => resolve())));
    const host = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const client = new RegistryClient(opts);
    t.equal(await client.manifestDigest({ registry: host, repository: 'ocp/release' }, '4.9.5'), null, 'HEAD gives no digest through the proxy');
    const r = await resolveRelease(`${host}/ocp/release:4.9.5`, opts);
    t.equal(r.digest, digest, 'the digest of the manifest bytes');
    t.equal(r.payload, `${host}/ocp/release@${digest}`);
  });

  // An independent client reads the same images: the test images are real, and KUS agrees on digest and arch.
  const skopeo = spawnSync('skopeo', ['--version']).status === 0;
  t.test('skopeo agrees on digest and architecture', { skip: skopeo ? false : 'skopeo is missing (apt-get install skopeo)' }, async (t) => {
    const digest = await reg.push('ocp/release', '4.9.6', await releaseImage({ version: '4.9.6' }, 'arm64', true));
    const out = spawnSync('skopeo', ['inspect', '--tls-verify=false', `docker://${repo}:4.9.6`], { encoding: 'utf8', timeout: 30_000 });
    t.equal(out.status, 0, out.stderr);
    const inspected = JSON.parse(out.stdout) as { Digest: string; Architecture: string };
    const r = await resolveRelease(`${repo}:4.9.6`, opts);
    t.same([r.digest, r.arch], [inspected.Digest, inspected.Architecture]);
    t.equal(r.digest, digest);
  });

  t.test('tag listing follows Link pagination', async (t) => {
    for (const tag of ['a', 'b', 'c', 'd', 'e']) await reg.push('paged/repo', tag, await releaseImage({ version: '1.0.0' }));
    const client = new RegistryClient({ ...opts, tagPageSize: 2 });
    t.same((await client.listTags({ registry: reg.host, repository: 'paged/repo' })).sort(), ['a', 'b', 'c', 'd', 'e'], 'three pages');
    t.same((await listTags(`${reg.host}/paged/repo`, opts)).sort(), ['a', 'b', 'c', 'd', 'e'], 'one page');
  });
});

t.test('an htpasswd (Basic) registry', { skip }, async (t) => {
  const reg = await startRegistry(t, 'htpasswd');
  const digest = await reg.push('ocp/release', '4.9.1', await releaseImage({ version: '4.9.1' }));
  const spec = `${reg.host}/ocp/release:4.9.1`;
  const { readDockerConfigFile } = await import('../src/registry/index.js');
  const r = await resolveRelease(spec, { insecure: true, auth: readDockerConfigFile(reg.pullSecret()) });
  t.equal(r.digest, digest, 'resolved with the pull secret');
  await refusal(t, resolveRelease(spec, { insecure: true }), 'KUS_ERR_REGISTRY_AUTH',
    /asks for credentials \(Basic\).*no pull secret was given; pass a pull secret with --registry-auth FILE/, 'no credentials');
  await refusal(t, resolveRelease(spec, { insecure: true, auth: readDockerConfigFile(reg.pullSecret('wrong')) }), 'KUS_ERR_REGISTRY_AUTH',
    /refused the credentials of user "kus-ci" \(from pull secret ".*"\)/, 'wrong password');
});

t.test('blob redirects to another origin are followed without the credentials', { skip }, async (t) => {
  const reg = await startRegistry(t, 'htpasswd');
  const digest = await reg.push('ocp/release', '4.9.1', await releaseImage({ version: '4.9.1' }));
  const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
  const listen = async (server: http.Server): Promise<string> => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
    return `127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  // "Storage" on another origin, as S3 behind quay: it must not receive the registry credentials.
  const seenAuth: Array<string | undefined> = [];
  const storage = await listen(http.createServer((req, res) => {
    seenAuth.push(req.headers.authorization);
    http.get(`${reg.url}${req.url}`, { headers: { authorization: basic } }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
  }));
  const front = await listen(http.createServer((req, res) => {
    if (req.method === 'GET' && /\/blobs\/sha256:/.test(req.url ?? '') && req.headers.authorization) {
      res.writeHead(307, { location: `http://${storage}${req.url}` });
      res.end();
      return;
    }
    const up = http.request(`${reg.url}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    req.pipe(up);
  }));
  const { readDockerConfigFile } = await import('../src/registry/index.js');
  const auth = readDockerConfigFile(reg.pullSecret());
  const secret = { auths: new Map([[front, auth.auths.get(reg.host)!]]), source: 'test' };
  const r = await resolveRelease(`${front}/ocp/release:4.9.1`, { insecure: true, auth: secret });
  t.equal(r.digest, digest, 'resolved through the redirects');
  t.ok(seenAuth.length >= 2, `config and layer came from storage (${seenAuth.length} requests)`);
  t.same(seenAuth.filter((a) => a !== undefined), [], 'no Authorization header left the registry');
});

t.test('a token-auth (Bearer) registry', { skip }, async (t) => {
  const reg = await startRegistry(t, 'token');
  const digest = await reg.push('ocp/release', '4.9.1', await releaseImage({ version: '4.9.1', previous: ['4.9.0'] }, 'arm64'));
  const spec = `${reg.host}/ocp/release:4.9.1`;
  const { readDockerConfigFile } = await import('../src/registry/index.js');
  const client = new RegistryClient({ insecure: true, auth: readDockerConfigFile(reg.pullSecret()) });
  const { resolveWith, parsePullSpec } = await import('../src/registry/index.js');
  const r = await resolveWith(client, parsePullSpec(spec));
  t.equal(r.digest, digest, 'resolved through the token flow');
  t.equal(r.arch, 'arm64');
  const ok = reg.tokens!.requests.filter((q) => q.status === 200);
  t.equal(ok.length, 1, 'one token for the whole resolve (cached)');
  t.same(ok[0]!.scope, ['repository:ocp/release:pull'], 'scope from the challenge');
  await resolveWith(client, parsePullSpec(spec));
  t.equal(reg.tokens!.requests.length, 1, 'a second resolve reuses the token');
  t.same(await client.listTags({ registry: reg.host, repository: 'ocp/release' }), ['4.9.1'], 'tags with the token');

  await refusal(t, resolveRelease(spec, { insecure: true }), 'KUS_ERR_REGISTRY_AUTH', /asks for credentials \(Bearer\)/, 'no credentials');
  await refusal(t, resolveRelease(spec, { insecure: true, auth: readDockerConfigFile(reg.pullSecret('wrong')) }), 'KUS_ERR_REGISTRY_AUTH',
    /token service "http:\/\/127\.0\.0\.1:\d+\/token" of registry ".*" refused user "kus-ci"/, 'wrong password');
});

t.test('a TLS registry with a private CA (--ca-file)', { skip }, async (t) => {
  const reg = await startRegistry(t, 'none', { tls: true });
  const digest = await reg.push('ocp/release', '4.9.1', await releaseImage({ version: '4.9.1' }));
  const spec = `${reg.host}/ocp/release:4.9.1`;
  await refusal(t, resolveRelease(spec), 'KUS_ERR_REGISTRY', /self-signed certificate.*trust the registry's CA with --ca-file FILE/, 'an untrusted certificate');
  t.equal((await resolveRelease(spec, { caFile: reg.caFile })).digest, digest, 'trusted with a CA file');
  t.equal((await resolveRelease(spec, { ca: reg.ca })).digest, digest, 'or with the PEM text');
  await refusal(t, resolveRelease(spec, { caFile: '/nonexistent/ca.pem' }), 'KUS_ERR_IO', /cannot read the CA file "\/nonexistent\/ca\.pem"/, 'a missing CA file');
  await refusal(t, resolveRelease(spec, { caFile: reg.caFile, insecure: true }), 'KUS_ERR_REGISTRY', /answered 400 Bad Request .*it speaks HTTPS: leave out --insecure/, 'plain HTTP to a TLS registry');
});
