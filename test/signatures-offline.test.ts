// Offline signers (gpg key kept elsewhere, public key imported, signature uploaded), keys clusters cannot use, the
// export → import round trip of signatures, and `kus serve` seeding signatures: the built CLI, gpg and cvo-probe.
import t from 'tap';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runKus } from './helpers/run-cli.js';
import { serveChild } from './helpers/serve-child.js';
import { claim, gpgHome, probeBinary, run, signingSkip } from './helpers/signing.js';
import { tempTree } from './helpers/temp-tree.js';

const skip = signingSkip();
const EMPTY_GRAPH_DATA = { version: '1.0.0\n', raw: { 'metadata.json': '{}\n' }, channels: {}, 'blocked-edges': {} };
const DIGEST = `sha256:${'3c'.repeat(32)}`;
const PASSPHRASE = { KUS_SIGNING_PASSPHRASE: 'local signing passphrase' };

t.test('an offline gpg signer next to a KUS key; export, import, seed', { skip }, async (t) => {
  const probe = probeBinary();
  const work = tempTree(t);
  const db = path.join(work, 'kus.db');
  const ok = (args: string[]): string => {
    const r = runKus(args, PASSPHRASE);
    t.equal(r.status, 0, `kus ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  ok(['release', 'add', '--db', db, '--version', '1.2.1', '--arch', 'arm64', '--payload', `registry.kylin.example/kylin/release@${DIGEST}`]);
  ok(['key', 'generate', '--db', db, '--name', 'kylin-2026', '--email', 'release@kylin.example', '--out', path.join(work, 'generated.asc')]);
  ok(['release', 'sign', '--db', db, '1.2.1+arm64']);
  const pub = path.join(work, 'kylin-2026.asc');
  writeFileSync(pub, ok(['key', 'export', '--db', db, 'kylin-2026']));

  // The offline host: an RSA key in gpg; only its public key reaches KUS.
  const { gpg, home } = gpgHome(t);
  t.equal(gpg(['--quick-gen-key', 'Kylin Offline <offline@kylin.example>', 'rsa3072', 'sign', 'never']).status, 0);
  const offlinePub = path.join(work, 'offline.asc');
  writeFileSync(offlinePub, gpg(['--armor', '--export', 'offline@kylin.example']).stdout);
  t.match(ok(['key', 'import', offlinePub, '--name', 'offline', '--db', db]), /imported key offline[\s\S]*public only: KUS cannot sign with it/);
  const claimFile = path.join(home, 'claim.json');
  writeFileSync(claimFile, claim(DIGEST));
  t.equal(gpg(['--local-user', 'offline@kylin.example', '--output', path.join(home, 'offline.sig'), '--sign', claimFile]).status, 0);
  t.match(ok(['signature', 'upload', DIGEST, path.join(home, 'offline.sig'), '--db', db]), /as sha256=[0-9a-f]{64}\/signature-2 \(signed by offline\)/);

  // Refused: an armored signature, one for another digest, an Ed25519 key.
  t.equal(gpg(['--local-user', 'offline@kylin.example', '--armor', '--output', path.join(home, 'armored.sig'), '--sign', claimFile]).status, 0);
  let r = runKus(['signature', 'upload', DIGEST, path.join(home, 'armored.sig'), '--db', db]);
  t.equal(r.status, 1);
  t.match(r.stderr, /^KUS_ERR_INVALID_SIGNATURE: .*ASCII-armored/);
  r = runKus(['signature', 'upload', `sha256:${'4d'.repeat(32)}`, path.join(home, 'offline.sig'), '--db', db]);
  t.equal(r.status, 1);
  t.match(r.stderr, /^KUS_ERR_INVALID_SIGNATURE: .*the claim names digest "sha256:3c3c/);
  t.equal(gpg(['--quick-gen-key', 'Edwards <ed@kylin.example>', 'ed25519', 'sign', 'never']).status, 0);
  const ed = path.join(work, 'ed.asc');
  writeFileSync(ed, gpg(['--armor', '--export', 'ed@kylin.example']).stdout);
  r = runKus(['key', 'import', ed, '--db', db]);
  t.equal(r.status, 1);
  t.match(r.stderr, /^KUS_ERR_UNSUPPORTED_KEY: .*the primary key is eddsaLegacy\(ed25519Legacy\) \[public key type 22\], not RSA.*golang\.org\/x\/crypto\/openpgp/);
  t.match(ok(['signature', 'list', '--db', db, DIGEST]), /signature-1 +kylin-2026 +signed[\s\S]*signature-2 +offline +uploaded/);
  t.doesNotThrow(() => JSON.parse(ok(['key', 'list', '--db', db, '--json'])) as unknown);

  // Two keyrings (as a verifier ConfigMap with both keys would have), each satisfied by its own signature.
  const out = path.join(work, 'export');
  const cvo = path.join(work, 'cvo-store');
  t.match(ok(['export', '--db', db, '--graph-data', out, '--cvo-store', cvo]), /2 signatures, 2 public keys under signatures\//);
  r = run(probe, ['verify', '--digest', DIGEST, '--keyring', pub, '--keyring', offlinePub, '--store-dir', cvo]);
  t.equal(r.status, 0, `two keyrings, two signatures: ${r.stdout}${r.stderr}`);
  const vcm = path.join(work, 'verifier.yaml');
  writeFileSync(vcm, ok(['verifier-configmap', '--db', db, '--store-url', `file://${cvo}`]));
  t.equal(run(probe, ['verifier-configmap', vcm]).status, 0, 'the verifier with both active keys is valid');
  r = run(probe, ['verify', '--digest', DIGEST, '--verifier-configmap', vcm]);
  t.equal(r.status, 0, `verified through the verifier's own file:// store: ${r.stdout}${r.stderr}`);

  // Round trip into a fresh store: the key first, then the graph-data with its signatures.
  const again = path.join(work, 'again.db');
  ok(['key', 'import', path.join(out, 'signatures/keys/kylin-2026.asc'), '--name', 'kylin-2026', '--db', again]);
  t.match(ok(['import', '--db', again, '--graph-data', out]), /2 signatures read, 2 new/);
  t.match(ok(['signature', 'list', '--db', again, DIGEST]), /signature-1 +kylin-2026 +imported[\s\S]*signature-2 +unknown signer +imported/,
    'the offline key is not in the new store: its signature is kept (and served), not attributed');
  t.match(ok(['import', '--db', again, '--graph-data', out]), /2 signatures read, 0 new/, 'importing again adds nothing');
  const cvo2 = path.join(work, 'cvo-store-2');
  ok(['export', '--db', again, '--graph-data', path.join(work, 'export-2'), '--cvo-store', cvo2]);
  for (const n of [1, 2]) {
    const name = `${DIGEST.replace(':', '=')}/signature-${n}`;
    t.same(readFileSync(path.join(cvo2, name)), readFileSync(path.join(cvo, name)), `${name} survives the round trip byte for byte`);
  }

  // `kus serve` seeds an empty store with the graph-data's signatures/, or with a signatures/ beside graph-data/.
  const repoLike = tempTree(t, { 'graph-data': EMPTY_GRAPH_DATA });
  cpSync(path.join(out, 'signatures'), path.join(repoLike, 'signatures'), { recursive: true });
  for (const graphData of [out, path.join(repoLike, 'graph-data')]) {
    const seeded = await serveChild(t, ['--db', path.join(tempTree(t), 'seeded.db'), '--graph-data', graphData]);
    const res = await fetch(`${seeded.url}/api/upgrades_info/signatures/${DIGEST.replace(':', '=')}/signature-2`);
    t.equal(res.status, 200, `seeded from ${graphData}`);
    t.same(Buffer.from(await res.arrayBuffer()), readFileSync(path.join(cvo, DIGEST.replace(':', '='), 'signature-2')));
    r = run(probe, ['verify', '--digest', DIGEST, '--keyring', pub, '--keyring', offlinePub, '--store', `${seeded.url}/api/upgrades_info/signatures`]);
    t.equal(r.status, 0, `the seeded server serves what verifies: ${r.stdout}${r.stderr}`);
    await seeded.stop();
  }
});
