// The README walk-through, end to end with real parts: a registry, `kus serve`, the built CLI, gpg, and cvo-probe (the
// cluster's verifier) reading KUS signatures from the HTTP store, an exported file:// store and the ConfigMaps.
// (Offline signers, export/import and seeding: signatures-offline.test.ts.)
import t from 'tap';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { releaseImage } from './helpers/images.js';
import { registrySkip, startRegistry } from './helpers/registry.js';
import { runKus } from './helpers/run-cli.js';
import { serveChild } from './helpers/serve-child.js';
import { gpgHome, jsKey, probeBinary, run, signingSkip } from './helpers/signing.js';
import { repoRoot } from './helpers/shared-fixtures.js';
import { tempTree } from './helpers/temp-tree.js';

const skip = signingSkip() || registrySkip();

/** An empty graph-data tree, so that the first `kus serve` does not seed the example data. */
const EMPTY_GRAPH_DATA = { version: '1.0.0\n', raw: { 'metadata.json': '{}\n' }, channels: {}, 'blocked-edges': {} };

t.test('custom release: ingest by digest, sign, publish, and the cluster verifies it from every source', { skip }, async (t) => {
  const probe = probeBinary();
  const work = tempTree(t, { 'graph-data': EMPTY_GRAPH_DATA });
  const db = path.join(work, 'kus.db');
  const passFile = path.join(work, 'signing-pass');
  writeFileSync(passFile, 'a long signing passphrase\n');

  // The release images, as `oc adm release new` would push them (one layer carrying release-manifests/release-metadata).
  const registry = await startRegistry(t);
  const d120 = await registry.push('kylin/release', '1.2.0', await releaseImage({ version: '1.2.0' }, 'arm64'));
  const d121 = await registry.push('kylin/release', '1.2.1', await releaseImage({ version: '1.2.1', previous: ['1.2.0'] }, 'arm64'));
  const repo = `${registry.host}/kylin/release`;

  const created = runKus(['token', 'create', '--db', db, '--name', 'release-admin', '--json']);
  t.equal(created.status, 0, created.stderr);
  const token = (JSON.parse(created.stdout) as { token: string }).token;
  const server = await serveChild(t, ['--db', db, '--graph-data', path.join(work, 'graph-data'), '--require-signatures', '--signing-passphrase-file', passFile]);
  const env = { KUS_SERVER: server.url, KUS_TOKEN: token };
  const kus = (args: string[], extra: NodeJS.ProcessEnv = {}) => runKus(args, { ...env, ...extra });
  let r: { status: number | null; stdout: string; stderr: string };
  const ok = (args: string[], extra: NodeJS.ProcessEnv = {}): string => {
    const r = kus(args, extra);
    t.equal(r.status, 0, `kus ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  // README: key, ingest by digest, channel.
  // Run where the README runs it: the public key goes to --out, and nothing else lands in the working directory.
  r = run(process.execPath, [path.join(repoRoot, 'dist/cli/main.js'), 'key', 'generate', '--name', 'kylin-2026', '--email', 'release@kylin.example', '--bits', '4096', '--out', 'kylin-2026.asc'],
    { cwd: work, env: { ...env, KUS_DB: '' } });
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /generated key kylin-2026 in server .*\n {2}fingerprint: [0-9A-F]{40}\n[\s\S]*algorithm: +rsa4096/);
  t.match(readFileSync(path.join(work, 'kylin-2026.asc'), 'utf8'), /^-----BEGIN PGP PUBLIC KEY BLOCK-----/, 'the public key file (--out)');
  t.notOk(existsSync(path.join(work, 'signatures')), 'no signatures/keys/ in the working directory');
  ok(['release', 'ingest', `${repo}@${d120}`, '--insecure']);
  ok(['release', 'ingest', `${repo}@${d121}`, '--insecure']);
  ok(['channel', 'create', 'stable-1.2']);

  // --require-signatures: not into a channel before it is signed.
  r = kus(['channel', 'add', 'stable-1.2', '1.2.1']);
  t.equal(r.status, 1);
  t.match(r.stderr, /^KUS_ERR_UNSIGNED: .*1\.2\.1\+arm64 \(channel stable-1\.2\): no signature by kylin-2026/);
  r = kus(['release', 'verify', '1.2.1+arm64']);
  t.equal(r.status, 1, 'the pre-publish check fails while unsigned');
  t.match(r.stdout, /UNSIGNED \(missing: kylin-2026\)/);

  const signed = JSON.parse(ok(['release', 'sign', '1.2.1+arm64', '--json'])) as Array<{ digest: string; signatures: Array<{ index: number; added: boolean }> }>;
  t.match(signed, [{ digest: d121, signatures: [{ index: 1, added: true }] }]);
  ok(['release', 'sign', '1.2.0']);
  ok(['channel', 'add', 'stable-1.2', '1.2.0']);
  ok(['channel', 'add', 'stable-1.2', '1.2.1']);
  t.match(ok(['release', 'verify', '1.2.0+arm64']), /channel stable-1\.2 \(arm64\), from 1\.2\.0: 1 reachable target\n {2}1\.2\.1 sha256:[0-9a-f]{64}: signed\nOK/);

  const pub = path.join(work, 'kylin-2026.asc');
  writeFileSync(pub, ok(['key', 'export', 'kylin-2026']));
  const store = `${server.url}/api/upgrades_info/signatures`;

  // 1. The HTTP store, as the cluster reads it.
  r = run(probe, ['verify', '--digest', d121, '--keyring', pub, '--store', store]);
  t.equal(r.status, 0, `cvo-probe verify --store: ${r.stdout}${r.stderr}`);
  t.match(r.stdout, /^OK: .* has a valid signature for each of 1 keyring/);
  r = run(probe, ['verify', '--digest', d121, '--keyring', pub, '--store', `${server.url}/signatures/`]);
  t.equal(r.status, 0, 'the /signatures alias, with a trailing slash');

  // 2. The ConfigMap store.
  const cm = path.join(work, 'signatures.yaml');
  writeFileSync(cm, ok(['signature', 'configmap', d121]));
  r = run(probe, ['verify', '--digest', d121, '--keyring', pub, '--configmap', cm]);
  t.equal(r.status, 0, `cvo-probe verify --configmap: ${r.stdout}${r.stderr}`);
  t.notMatch(r.stderr, /warning/i, 'namespace and label as the cluster wants them');
  const all = parse(ok(['signature', 'configmap', '--all', '--json'])) as { kind: string; items: Array<{ metadata: { name: string } }> };
  t.same(all.items.map((i) => i.metadata.name).sort(), [d120, d121].map((d) => d.replace(':', '-')).sort());

  // 3. The exported file:// store (and graph-data's signatures/).
  const out = path.join(work, 'export');
  const cvo = path.join(work, 'cvo-store');
  runKusOk(['export', '--db', db, '--graph-data', out, '--cvo-store', cvo]);
  r = run(probe, ['verify', '--digest', d121, '--keyring', pub, '--store-dir', cvo]);
  t.equal(r.status, 0, `cvo-probe verify --store-dir: ${r.stdout}${r.stderr}`);
  r = run(probe, ['verify', '--digest', d121, '--keyring', pub, '--store', `file://${cvo}`]);
  t.equal(r.status, 0, 'as a file:// store URL');
  t.same(readdirSync(path.join(out, 'signatures/sha256', d121.slice(7))), ['signature-1']);

  // 4. The verifier ConfigMap a custom payload ships.
  const vcm = path.join(work, '0000_90_kus_release-verification.yaml');
  r = kus(['verifier-configmap', '--store-url', store]);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stderr, /release-manifests\//, 'says where the file goes');
  writeFileSync(vcm, r.stdout);
  r = run(probe, ['verifier-configmap', vcm]);
  t.equal(r.status, 0, `cvo-probe verifier-configmap: ${r.stdout}${r.stderr}`);
  r = run(probe, ['verify', '--digest', d121, '--verifier-configmap', vcm]);
  t.equal(r.status, 0, `cvo-probe verify --verifier-configmap: ${r.stdout}${r.stderr}`);
  const patch = JSON.parse(ok(['verifier-configmap', '--store-url', store, '--signature-stores-patch'])) as unknown;
  t.same(patch, { spec: { signatureStores: [{ url: store }] } });

  // gpg reads the same bytes.
  const { gpg, home } = gpgHome(t);
  const bytes = Buffer.from(await (await fetch(`${store}/${d121.replace(':', '=')}/signature-1`)).arrayBuffer());
  const sigFile = path.join(home, 'signature-1');
  writeFileSync(sigFile, bytes);
  t.equal(gpg(['--import', pub]).status, 0);
  r = gpg(['--verify', sigFile]);
  t.equal(r.status, 0, `gpg --verify: ${r.stderr}`);
  t.match(r.stderr, /Good signature from "kylin-2026 <release@kylin\.example>"/);
  t.match(gpg(['--decrypt', sigFile]).stdout, `"docker-manifest-digest":"${d121}"`);

  // Negative: what the cluster must refuse, it refuses.
  r = run(probe, ['verify', '--digest', d121.replace(/.$/, d121.endsWith('0') ? '1' : '0'), '--keyring', pub, '--store', store]);
  t.equal(r.status, 1, 'a tampered digest finds no valid signature (404 at signature-1)');
  const stranger = path.join(work, 'stranger.asc');
  writeFileSync(stranger, (await jsKey({ name: 'stranger' })).publicKey.armor());
  r = run(probe, ['verify', '--digest', d121, '--keyring', stranger, '--store', store]);
  t.equal(r.status, 1, 'a keyring without KUS\'s key rejects the signature');
  const garbage = path.join(work, 'garbage.sig');
  writeFileSync(garbage, 'not a signature');
  r = kus(['signature', 'upload', d121, garbage]);
  t.equal(r.status, 1);
  t.match(r.stderr, /^KUS_ERR_INVALID_SIGNATURE: refusing the signature for sha256:[0-9a-f]{64}: it is not an OpenPGP message/);
  const missing = await fetch(`${store}/${d121.replace(':', '=')}/signature-2`);
  t.equal(missing.status, 404, 'nothing was stored: signature-2 is still absent');

  function runKusOk(args: string[]): string {
    const res = runKus(args);
    t.equal(res.status, 0, `kus ${args.join(' ')}: ${res.stderr}`);
    return res.stdout;
  }
});
