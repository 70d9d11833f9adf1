// GET /api/upgrades_info/graph-data: a deterministic gzip'd ustar of exactly what `kus export` writes (graph-data,
// releases/, signatures/), with a strong ETag and 304 on If-None-Match, built once per graph generation.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readTar, writeTar } from '../src/tar/index.js';
import { buildApp } from '../src/server/app.js';
import { GraphCache } from '../src/services/graph-cache.js';
import { buildGraphDataArchive, GraphDataArchive, graphDataArchiveFiles } from '../src/services/graph-data-archive.js';
import { importGraphData } from '../src/services/graph-data-service.js';
import { SigningKeys } from '../src/services/keys.js';
import { Publisher } from '../src/services/publisher.js';
import { Signing } from '../src/services/signing.js';
import { openStore } from '../src/store/index.js';
import { runKus } from './helpers/run-cli.js';
import { repoRoot } from './helpers/shared.js';

const silent = { info() {}, warn() {}, error() {} };
const actor = { name: 'tester' };

/** Every file under dir, as relative path → bytes, and every directory. */
function tree(dir: string, prefix = '', out = { files: new Map<string, Buffer>(), directories: [] as string[] }) {
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    const rel = prefix === '' ? name : `${prefix}/${name}`;
    if (statSync(full).isDirectory()) {
      out.directories.push(rel);
      tree(full, rel, out);
    } else out.files.set(rel, readFileSync(full));
  }
  return out;
}

t.test('ustar writer: deterministic, read by GNU tar and by readTar; tampering is refused', async (t) => {
  const long = `channels/${'x'.repeat(120)}/deep/${'y'.repeat(60)}.yaml`;
  const files = [
    { path: 'version', bytes: Buffer.from('1.2.0\n') },
    { path: 'channels/stable-4.9.yaml', bytes: Buffer.from('name: stable-4.9\nversions: []\n') },
    { path: 'signatures/sha256/ab/signature-1', bytes: Buffer.from([0, 1, 2, 255]) },
    { path: long, bytes: Buffer.alloc(1500, 7) },
  ];
  const a = await writeTar(files);
  t.ok(a.equals(await writeTar([...files].reverse())), 'same bytes whatever the input order');
  t.equal(a.length % 512, 0, 'whole blocks');
  t.same((await readTar(a, 'a')).files.map((f) => [f.path, Buffer.from(f.bytes).toString('hex')]),
    [...files].sort((x, y) => (x.path < y.path ? -1 : 1)).map((f) => [f.path, f.bytes.toString('hex')]), 'readTar gives the files back');

  const dir = t.testdir({});
  writeFileSync(path.join(dir, 'a.tar'), a);
  const listed = spawnSync('tar', ['-tvf', path.join(dir, 'a.tar')], { encoding: 'utf8' });
  t.equal(listed.status, 0, `GNU tar reads it: ${listed.stderr}`);
  t.match(listed.stdout, /^drwxr-xr-x 0\/0 +0 1970-01-01 00:00 channels\/$/m, 'directories, owner 0/0, time 0');
  t.match(listed.stdout, /^-rw-r--r-- 0\/0 +4 1970-01-01 00:00 signatures\/sha256\/ab\/signature-1$/m, 'files 0644');
  const out = path.join(dir, 'x');
  t.equal(spawnSync('tar', ['-xf', path.join(dir, 'a.tar'), '-C', dir, '--one-top-level=x']).status, 0);
  t.ok(readFileSync(path.join(out, long)).equals(Buffer.alloc(1500, 7)), 'a path longer than 100 bytes survives (ustar prefix)');

  const tampered = Buffer.from(a);
  tampered[0] = tampered[0]! ^ 1;
  await t.rejects(readTar(tampered, 'x.tar'), { code: 'KUS_ERR_GRAPH_DATA', message: /"x\.tar" is not a KUS graph-data archive: a header checksum does not match/ });
  await t.rejects(readTar(a.subarray(0, 1024 + 100), 'cut.tar'), { code: 'KUS_ERR_GRAPH_DATA', message: /truncated/ });
  await t.rejects(writeTar([{ path: '../etc/passwd', bytes: Buffer.alloc(0) }]), { code: 'KUS_ERR_GRAPH_DATA', message: /"\.\.\/etc\/passwd"/ });
  await t.rejects(writeTar([{ path: 'a', bytes: Buffer.alloc(0) }, { path: 'a', bytes: Buffer.alloc(0) }]), { code: 'KUS_ERR_GRAPH_DATA', message: /twice/ });
});

t.test('an empty store\'s archive still has the graph-data folders kus export makes', async (t) => {
  const store = openStore(path.join(t.testdir({}), 'kus.db'));
  t.teardown(() => store.close());
  const { directories, files } = await readTar(gunzipSync(await buildGraphDataArchive(graphDataArchiveFiles(store))), 'empty');
  t.same(directories.sort(), ['blocked-edges', 'channels', 'raw', 'releases']);
  t.same(files.map((f) => f.path), ['raw/metadata.json', 'version']);
});

t.test('the tarball equals kus export; ETag, 304, one build per generation; a write makes a new one', { timeout: 180_000 }, async (t) => {
  const dir = t.testdir({});
  const db = path.join(dir, 'kus.db');
  const store = openStore(db);
  t.teardown(() => store.close());
  importGraphData(store, { graphDataDir: path.join(repoRoot, 'graph-data') });
  const cache = new GraphCache({ load: () => store.loadGraphInput(), logger: silent });
  const publisher = new Publisher({ store, rebuild: () => cache.rebuild() });
  const passphrase = (): string => 'correct horse';
  const keys = new SigningKeys({ store, passphrase });
  const signing = new Signing({ store, keys, releases: (v) => publisher.getRelease(v), passphrase, creator: 'test' });
  await keys.generate(actor, { name: 'kylin-test', email: 'test@kylin.example' });
  const release = publisher.listReleases({ arch: 'arm64' })[0]!;
  await signing.signRelease(actor, `${release.version}+arm64`);
  t.equal(store.signatures.count(), 1, 'one signature stored');

  const archive = new GraphDataArchive({ store, generation: () => cache.snapshot });
  const app = buildApp({ graphs: cache, logLevel: 'silent', graphData: archive });
  t.teardown(() => app.close());
  await app.ready();

  const notReady = await app.inject({ url: '/api/upgrades_info/graph-data' });
  t.equal(notReady.statusCode, 503, 'no graph built yet: 503');
  t.equal(notReady.json().code, 'KUS_ERR_NOT_READY');
  cache.rebuild();

  const first = await app.inject({ url: '/api/upgrades_info/graph-data' });
  t.equal(first.statusCode, 200);
  t.equal(first.headers['content-type'], 'application/gzip');
  const etag = String(first.headers.etag);
  t.match(etag, /^"[A-Za-z0-9_-]{32}"$/, 'strong ETag');
  const again = await app.inject({ url: '/api/upgrades_info/graph-data' });
  t.ok(again.rawPayload.equals(first.rawPayload), 'same bytes');
  t.equal(again.headers.etag, etag, 'same ETag');
  t.equal(archive.buildCount, 1, 'built once for this generation');
  const cached = await app.inject({ url: '/api/upgrades_info/graph-data', headers: { 'if-none-match': etag } });
  t.equal(cached.statusCode, 304, 'If-None-Match: 304');
  t.equal(cached.rawPayload.length, 0, 'no body');
  t.equal((await app.inject({ url: '/api/upgrades_info/graph-data', headers: { 'if-none-match': '"other", W/' + etag } })).statusCode, 304, 'weak match in a list');
  t.equal((await app.inject({ url: '/api/upgrades_info/graph-data', headers: { 'if-none-match': '"other"' } })).statusCode, 200, 'another ETag: 200');

  // The same store written by `kus export` gives the same files, byte for byte.
  const exported = path.join(dir, 'exported');
  const ex = runKus(['export', '--db', db, '--graph-data', exported]);
  t.equal(ex.status, 0, `kus export: ${ex.stderr}`);
  const archived = await readTar(gunzipSync(first.rawPayload), 'graph-data.tar.gz');
  const fromTar = new Map(archived.files.map((f) => [f.path, Buffer.from(f.bytes)]));
  const fromExport = tree(exported);
  t.same([...fromTar.keys()].sort(), [...fromExport.files.keys()].sort(), 'the same file list');
  t.same([...archived.directories].sort(), [...fromExport.directories].sort(), 'the same directories');
  for (const [p, bytes] of fromExport.files) t.ok(fromTar.get(p)?.equals(bytes), `${p}: same bytes`);
  for (const expected of ['version', 'raw/metadata.json', 'channels/stable-4.9.yaml', 'signatures/keys/kylin-test.asc']) {
    t.ok(fromTar.has(expected), `has ${expected}`);
  }
  t.ok([...fromTar.keys()].some((p) => /^signatures\/sha256\/[0-9a-f]{64}\/signature-1$/.test(p)), 'has the signature');
  t.ok([...fromTar.keys()].some((p) => p.startsWith('blocked-edges/')) && [...fromTar.keys()].some((p) => p.startsWith('releases/')), 'blocked-edges/ and releases/');

  // A write (new generation) and a new signature both give a new archive; reading alone never builds.
  publisher.createChannel(actor, 'candidate-9.9');
  const afterWrite = await app.inject({ url: '/api/upgrades_info/graph-data', headers: { 'if-none-match': etag } });
  t.equal(afterWrite.statusCode, 200, 'the old ETag no longer matches');
  t.not(afterWrite.headers.etag, etag, 'new ETag');
  t.ok((await readTar(gunzipSync(afterWrite.rawPayload), 'x')).files.some((f) => f.path === 'channels/candidate-9.9.yaml'), 'the new channel is in it');
  t.equal(archive.buildCount, 2);
  await signing.signRelease(actor, `${publisher.listReleases({ arch: 'arm64' })[1]!.version}+arm64`);
  const afterSign = await app.inject({ url: '/api/upgrades_info/graph-data' });
  t.not(afterSign.headers.etag, afterWrite.headers.etag, 'a new signature changes the archive without a rebuild');
  t.equal(archive.buildCount, 3);
  await app.inject({ url: '/api/upgrades_info/graph-data' });
  t.equal(archive.buildCount, 3, 'no build per request');
});
