// `kus bundle export` / `kus bundle import` (built CLI): a vendor store's channel, signatures and ConfigMaps carried to
// a site store that trusts the vendor's key. The round trip serves the same graph; a second import is a no-op; a
// truncated, tampered, extended or re-signed bundle, or one from an untrusted key, changes nothing and says why.
import t, { type Test as Tap } from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { parseAllDocuments } from 'yaml';
import { readTar, writeTar, type TarFile } from '../src/tar/index.js';
import { buildApp } from '../src/server/app.js';
import { GraphCache } from '../src/services/graph-cache.js';
import { openStore } from '../src/store/index.js';
import { repoRoot } from './helpers/shared.js';
import { probeBinary, run, signingSkip } from './helpers/signing.js';

const probeSkip = signingSkip();

const cli = path.join(repoRoot, 'dist/cli/main.js');
const PASSPHRASE = 'vendor bundle passphrase';
const STORE_URL = 'https://kus.site.example/api/upgrades_info/signatures';

function kus(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8', timeout: 120_000, env: { ...process.env, KUS_DB: '', KUS_SERVER: '', KUS_TOKEN: '', KUS_SIGNING_PASSPHRASE: PASSPHRASE },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(t: Tap, args: string[]): string {
  const r = kus(args);
  t.equal(r.status, 0, `kus ${args.slice(0, 2).join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The served graph, the signatures and the audit of a store, to compare before and after. */
async function state(db: string): Promise<{ graph: string; signatures: string[]; imports: number; refused: number }> {
  const store = openStore(db);
  try {
    const cache = new GraphCache({ load: () => store.loadGraphInput(), logger: { info() {}, warn() {}, error() {} } });
    cache.rebuild();
    const app = buildApp({ graphs: cache, logLevel: 'silent' });
    const res = await app.inject({ url: '/api/upgrades_info/graph?channel=stable-4.9&arch=arm64', headers: { accept: 'application/json' } });
    await app.close();
    const audit = store.audit.list(1000).filter((a) => a.action === 'bundle.import');
    return {
      graph: res.body,
      signatures: store.signatures.list().map((s) => `${s.digest}/${s.index}:${s.bytes.toString('base64')}`),
      imports: audit.filter((a) => a.outcome === 'ok').length,
      refused: audit.filter((a) => a.outcome === 'refused').length,
    };
  } finally {
    store.close();
  }
}

const repack = async (bundle: Buffer, change: (files: TarFile[]) => TarFile[]): Promise<Buffer> => {
  const { files, directories } = await readTar(gunzipSync(bundle), 'bundle');
  return gzipSync(await writeTar(change(files), directories));
};

t.test('bundle round trip, idempotence and refusals', { timeout: 600_000 }, async (t) => {
  const dir = t.testdir({});
  const vendor = path.join(dir, 'vendor.db');
  const site = path.join(dir, 'site.db');
  ok(t, ['import', '--graph-data', path.join(repoRoot, 'graph-data'), '--db', vendor]);
  ok(t, ['key', 'generate', '--name', 'vendor', '--email', 'release@vendor.example', '--db', vendor]);
  ok(t, ['release', 'sign', '4.9.21-kylinsec.1+arm64', '--db', vendor]);
  writeFileSync(path.join(dir, 'vendor.asc'), ok(t, ['key', 'export', 'vendor', '--db', vendor]));
  const bundle = path.join(dir, 'kus-bundle.tar.gz');

  // Filters: one channel, one arch.
  const filtered = path.join(dir, 'filtered.tar.gz');
  const exported = JSON.parse(ok(t, ['bundle', 'export', '--out', filtered, '--channel', 'stable-4.9', '--arch', 'arm64', '--store-url', STORE_URL, '--db', vendor, '--json'])) as
    { signedBy: string; releases: number; signatures: number; channels: number };
  t.equal(exported.signedBy, 'vendor');
  t.equal(exported.signatures, 1, 'the signature of the signed release');
  t.equal(exported.channels, 1);
  const only = new Map((await readTar(gunzipSync(readFileSync(filtered)), 'f')).files.map((f) => [f.path, f]));
  t.ok(only.has('graph-data/channels/stable-4.9.yaml'), 'the channel asked for');
  t.notOk(only.has('graph-data/channels/candidate-4.9.yaml'), '--channel stable-4.9: no other channel');
  t.notOk([...only.keys()].some((p) => /^graph-data\/releases\/.*\+amd64\.yaml$/.test(p)), '--arch arm64: no amd64 release');
  t.ok([...only.keys()].some((p) => /^graph-data\/releases\/4\.9\.21-kylinsec\.1\+arm64\.yaml$/.test(p)), 'a release of the channel');
  t.notOk([...only.keys()].some((p) => /^graph-data\/releases\/4\.9\.21-kylinsec\.2\+arm64\.yaml$/.test(p)), 'not a release outside it');

  // The bundle carried to the site below: every channel, arm64 only.
  ok(t, ['bundle', 'export', '--out', bundle, '--arch', 'arm64', '--store-url', STORE_URL, '--db', vendor]);
  const bytes = readFileSync(bundle);
  const listed = spawnSync('tar', ['-tzf', bundle], { encoding: 'utf8' }).stdout.split('\n');
  for (const f of ['manifest.json', 'manifest.json.sig', 'graph-data/version', 'graph-data/channels/stable-4.9.yaml', 'graph-data/signatures/keys/vendor.asc',
    'configmaps/verifier.yaml', 'configmaps/signatures.yaml', 'graph-data/blocked-edges/']) {
    t.ok(listed.includes(f), `GNU tar lists ${f}`);
  }
  const files = new Map((await readTar(gunzipSync(bytes), 'b')).files.map((f) => [f.path, Buffer.from(f.bytes)]));
  const verifier = parseAllDocuments(files.get('configmaps/verifier.yaml')!.toString())[0]!.toJS() as { data: Record<string, string> };
  t.equal(verifier.data['store-kylin-update-service'], STORE_URL, 'verifier ConfigMap names the site store');
  t.match(verifier.data['verifier-public-key-vendor'], /BEGIN PGP PUBLIC KEY BLOCK/);

  await t.test('a site that does not trust the vendor key refuses the bundle', async (t) => {
    const before = await state(site);
    const r = kus(['bundle', 'import', bundle, '--db', site]);
    t.equal(r.status, 1);
    t.match(r.stderr, /^KUS_ERR_INVALID_SIGNATURE: the manifest signature of ".*kus-bundle\.tar\.gz" is not valid: it was made by key ID [0-9A-F]+, which is not a trusted key/m);
    const after = await state(site);
    t.same({ ...after, refused: 0 }, { ...before, refused: 0 }, 'nothing changed');
    t.equal(after.refused, 1, 'the refusal is audited');
  });

  await t.test('after kus key import, the import serves the vendor\'s graph and signature; again is a no-op', async (t) => {
    ok(t, ['key', 'import', path.join(dir, 'vendor.asc'), '--db', site]);
    const out = ok(t, ['bundle', 'import', bundle, '--db', site]);
    t.match(out, /^imported .*kus-bundle\.tar\.gz into store/m);
    t.match(out, /signed by release/, 'names the key as the site stored it (kus key import names it from its user ID)');
    const [v, s] = [await state(vendor), await state(site)];
    t.equal(s.graph, v.graph, 'the site serves the vendor\'s stable-4.9/arm64 graph byte for byte');
    t.same(s.signatures, v.signatures, 'the same signature');
    t.equal(s.imports, 1);
    const again = ok(t, ['bundle', 'import', bundle, '--db', site]);
    t.match(again, /is already imported .*; nothing changed/, 'the same bundle twice changes nothing');
    t.same(await state(site), s, 'not even the audit log');
  });

  await t.test('bad bundles change nothing and say what was wrong', async (t) => {
    const before = await state(site);
    const cases: Array<[string, Buffer, RegExp]> = [
      ['truncated', bytes.subarray(0, Math.floor(bytes.length / 2)), /^KUS_ERR_BUNDLE: ".*truncated\.tar\.gz" is not a gzip'd KUS bundle, or it is truncated/m],
      ['not-gzip', Buffer.from('hello'), /^KUS_ERR_BUNDLE: .* is not a gzip'd KUS bundle/m],
      ['tampered', await repack(bytes, (fs) => fs.map((f) => (f.path === 'graph-data/channels/stable-4.9.yaml' ? { ...f, bytes: Buffer.concat([Buffer.from(f.bytes), Buffer.from('# x\n')]) } : f))),
        /^KUS_ERR_BUNDLE: ".*tampered\.tar\.gz" was changed after it was signed; nothing was imported:\n {2}graph-data\/channels\/stable-4\.9\.yaml: its SHA-256 does not match/m],
      ['extended', await repack(bytes, (fs) => [...fs, { path: 'graph-data/releases/9.9.9+arm64.yaml', bytes: Buffer.from('version: 9.9.9\n') }]),
        /graph-data\/releases\/9\.9\.9\+arm64\.yaml: not listed in the manifest \(added after signing\)/],
      ['removed', await repack(bytes, (fs) => fs.filter((f) => f.path !== 'configmaps/verifier.yaml')), /configmaps\/verifier\.yaml: listed in the manifest but missing/],
      ['manifest', await repack(bytes, (fs) => fs.map((f) => (f.path === 'manifest.json' ? { ...f, bytes: Buffer.from(Buffer.from(f.bytes).toString().replace('"creator"', '"creator" ')) } : f))),
        /^KUS_ERR_INVALID_SIGNATURE: the manifest signature of .* is not valid: the signature by release \([0-9A-F]{40}\) does not verify/m],
      ['unsigned', await repack(bytes, (fs) => fs.filter((f) => f.path !== 'manifest.json.sig')), /^KUS_ERR_BUNDLE: .* is not a KUS bundle: it has no manifest\.json\.sig/m],
    ];
    for (const [name, content, message] of cases) {
      const file = path.join(dir, `${name}.tar.gz`);
      writeFileSync(file, content);
      const r = kus(['bundle', 'import', file, '--db', site]);
      t.equal(r.status, 1, `${name}: exit 1`);
      t.match(r.stderr, message, `${name}: says what was wrong`);
    }
    const after = await state(site);
    t.same({ ...after, refused: 0 }, { ...before, refused: 0 }, 'the store is unchanged');
    t.equal(after.refused - before.refused, cases.length, 'every refusal audited');
  });

  await t.test('a newer bundle replaces the graph and adds signatures', async (t) => {
    ok(t, ['release', 'add', '--version', '4.9.22-kylinsec.1', '--arch', 'arm64', '--payload', `registry.kylinsec.example/ocp/release@sha256:${'c'.repeat(64)}`,
      '--previous', '4.9.21-kylinsec.2', '--channel', 'stable-4.9', '--db', vendor]);
    ok(t, ['release', 'sign', '4.9.22-kylinsec.1+arm64', '--db', vendor]);
    ok(t, ['bundle', 'export', '--out', bundle, '--arch', 'arm64', '--store-url', STORE_URL, '--db', vendor]);
    const out = ok(t, ['bundle', 'import', bundle, '--db', site]);
    t.match(out, /graph replaced\); signatures: 1 added of 2/);
    const [v, s] = [await state(vendor), await state(site)];
    t.equal(s.graph, v.graph, 'the new release is served at the site');
    t.match(s.graph, '4.9.22-kylinsec.1');
    t.same(s.signatures, v.signatures);
  });

  // Two active keys, releases signed by one: the cluster requires a signature by every verifier key, so such a
  // verifier ConfigMap makes it refuse every release of the bundle. cvo-probe checks what the cluster would say.
  await t.test('a verifier ConfigMap its own releases fail is refused; one the user names is proven by cvo-probe', { skip: probeSkip }, async (t) => {
    const probe = probeBinary();
    ok(t, ['key', 'generate', '--name', 'vendor-2026', '--email', 'release-2026@vendor.example', '--db', vendor]);
    const signedReleases = ['4.9.21-kylinsec.1+arm64', '4.9.22-kylinsec.1+arm64'];

    const both = path.join(dir, 'both-keys.yaml');
    writeFileSync(both, ok(t, ['verifier-configmap', '--store-url', STORE_URL, '--db', vendor]));
    const digest121 = (JSON.parse(ok(t, ['release', 'show', '4.9.21-kylinsec.1+arm64', '--db', vendor, '--json'])) as Array<{ digest: string }>)[0]!.digest;
    const signaturesCm = path.join(dir, 'signatures-cm.yaml');
    writeFileSync(signaturesCm, ok(t, ['signature', 'configmap', digest121, '--db', vendor]));
    const before = run(probe, ['verify', '--digest', digest121, '--verifier-configmap', both, '--configmap', signaturesCm]);
    t.equal(before.status, 1, `cvo-probe: a verifier of both keys fails the release signed by one: ${before.stdout}${before.stderr}`);

    const refusedOut = path.join(dir, 'refused.tar.gz');
    const refused = kus(['bundle', 'export', '--out', refusedOut, '--arch', 'arm64', '--store-url', STORE_URL, '--db', vendor]);
    t.equal(refused.status, 1, 'export refused');
    t.match(refused.stderr, /^KUS_ERR_UNSIGNED: the bundle's verifier ConfigMap would carry the keys vendor, vendor-2026/m);
    for (const r of signedReleases) t.match(refused.stderr, new RegExp(`^  ${r.replace(/[.+]/g, '\\$&')}: not signed by vendor-2026$`, 'm'), `names ${r} and the key it lacks`);
    t.match(refused.stderr, /--verifier-key NAME/, 'says how to name the keys');
    t.notOk(existsSync(refusedOut), 'no file written');

    const named = kus(['bundle', 'export', '--out', refusedOut, '--arch', 'arm64', '--verifier-key', 'vendor', '--verifier-key', 'vendor-2026', '--store-url', STORE_URL, '--db', vendor]);
    t.match(named.stderr, /^KUS_ERR_UNSIGNED: /m, 'naming both keys is refused the same way');
    const unknown = kus(['bundle', 'export', '--out', refusedOut, '--verifier-key', 'nope', '--store-url', STORE_URL, '--db', vendor]);
    t.match(unknown.stderr, /^KUS_ERR_NOT_FOUND: --verifier-key "nope": no such key/m);

    const accepted = path.join(dir, 'accepted.tar.gz');
    const report = JSON.parse(ok(t, ['bundle', 'export', '--out', accepted, '--arch', 'arm64', '--verifier-key', 'vendor', '--store-url', STORE_URL, '--db', vendor, '--json'])) as
      { verifierKeys: string[]; unsigned: string[] };
    t.same(report.verifierKeys, ['vendor']);
    t.ok(report.unsigned.length > 0 && !report.unsigned.some((r) => signedReleases.includes(r)), 'releases with no signature are listed as unsigned');
    const files = new Map((await readTar(gunzipSync(readFileSync(accepted)), 'accepted')).files.map((f) => [f.path, Buffer.from(f.bytes)]));
    const out = t.testdir({ 'verifier.yaml': files.get('configmaps/verifier.yaml')!, 'signatures.yaml': files.get('configmaps/signatures.yaml')! });
    const verifier = parseAllDocuments(files.get('configmaps/verifier.yaml')!.toString())[0]!.toJS() as { data: Record<string, string> };
    t.same(Object.keys(verifier.data).filter((k) => k.startsWith('verifier-public-key-')), ['verifier-public-key-vendor'], 'the verifier carries the named key only');
    for (const r of signedReleases) {
      const digest = (JSON.parse(ok(t, ['release', 'show', r, '--db', vendor, '--json'])) as Array<{ digest: string }>)[0]!.digest;
      const v = run(probe, ['verify', '--digest', digest, '--verifier-configmap', path.join(out, 'verifier.yaml'), '--configmap', path.join(out, 'signatures.yaml')]);
      t.equal(v.status, 0, `cvo-probe verifies ${r} with the bundle's own verifier and signature ConfigMaps: ${v.stdout}${v.stderr}`);
    }
  });

  await t.test('export needs a key that can sign', async (t) => {
    const empty = path.join(dir, 'empty.db');
    ok(t, ['import', '--graph-data', path.join(repoRoot, 'graph-data'), '--db', empty]);
    const r = kus(['bundle', 'export', '--out', path.join(dir, 'x.tar.gz'), '--store-url', STORE_URL, '--db', empty]);
    t.equal(r.status, 1);
    t.match(r.stderr, /^KUS_ERR_NO_SIGNING_KEY: /m);
    const missing = kus(['bundle', 'export', '--out', path.join(dir, 'x.tar.gz'), '--channel', 'nope-1', '--store-url', STORE_URL, '--db', vendor]);
    t.match(missing.stderr, /^KUS_ERR_NOT_FOUND: no channel "nope-1"/m);
  });
});
