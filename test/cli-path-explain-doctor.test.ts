// `kus path`, `kus explain` and `kus doctor` against a real server (--server, public endpoints) and on the same
// store file (--db): the same answers both ways, exit codes, and the doctor's signature verdicts with a real key.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { runKus } from './helpers/run-cli.js';
import { serveChild } from './helpers/serve-child.js';
import { repoRoot } from './helpers/shared-fixtures.js';
import { tempTree } from './helpers/temp-tree.js';

const RISK = 'InsightsOperatorDegradedDisconnected';
const CLUSTER_ID = '5d2b0fb8-34f4-4a3e-9a4e-2d6f1f0c8a11';

t.test('kus path, explain and doctor', async (t) => {
  const dir = tempTree(t);
  const db = path.join(dir, 'kus.db');
  const created = runKus(['token', 'create', '--db', db, '--name', 'cli', '--json'], { KUS_TOKEN: '' });
  t.equal(created.status, 0, created.stderr);
  const { token } = JSON.parse(created.stdout) as { token: string };
  const server = await serveChild(t, ['--db', db, '--graph-data', path.join(repoRoot, 'graph-data')], { KUS_SIGNING_PASSPHRASE: 'doctor test' });
  const both = (args: string[]) => ({ remote: runKus([...args, '--server', server.url]), local: runKus([...args, '--db', db]) });

  t.test('kus path: a conditional-only path names its risk; the same on the store and on the server', async (t) => {
    const { remote, local } = both(['path', '--from', '4.9.0-rc.6', '--to', '4.9.21-kylinsec.1', '--channel', 'candidate-4.9', '--arch', 'arm64', '--json']);
    t.equal(remote.status, 1, 'no recommended path: exit 1');
    t.equal(local.status, 1);
    t.same(JSON.parse(remote.stdout), JSON.parse(local.stdout), 'the server and the store give the same answer');
    const answer = JSON.parse(remote.stdout) as { recommended: unknown[]; withConditional: Array<Array<{ from: string; to: string; risks: string[] }>>; problems: Array<{ code: string }> };
    t.same(answer.recommended, []);
    t.same(answer.withConditional, [[
      { from: '4.9.0-rc.6', to: '4.9.15', risks: [] },
      { from: '4.9.15', to: '4.9.21-kylinsec.1', risks: [RISK] },
    ]]);
    t.same(answer.problems.map((p) => p.code), ['conditional-only']);
    const human = runKus(['path', '--from', '4.9.15', '--to', '4.9.15-kylinsec.2', '--channel', 'stable-4.9', '--arch', 'arm64', '--server', server.url]);
    t.equal(human.status, 0, 'a recommended path: exit 0');
    t.match(human.stdout, 'recommended only:\n  4.9.15 → 4.9.15-kylinsec.2');
    const missing = runKus(['path', '--from', '4.9.0-rc.6', '--to', '4.9.15', '--channel', 'stable-4.9', '--arch', 'arm64', '--server', server.url]);
    t.match(missing.stdout, '4.9.0-rc.6 is not in channel "stable-4.9" (arm64): a cluster running it would report VersionNotFound');
    const wrongArch = runKus(['path', '--from', '4.9.15', '--to', '4.9.15-kylinsec.2', '--channel', 'stable-4.9', '--arch', 's390x', '--db', db]);
    t.match(wrongArch.stdout, 'channel "stable-4.9" has no s390x releases; it serves amd64, arm64');
    const bad = both(['path', '--from', '4.9.15', '--to', '4.9.16', '--channel', 'Bad Channel!']);
    for (const r of [bad.remote, bad.local]) {
      t.equal(r.status, 1);
      t.match(r.stderr, /^KUS_ERR_BAD_REQUEST: invalid_params: invalid client parameters: channel 'Bad Channel!'/m, 'the graph API\'s refusal, quoted');
    }
  });

  t.test('kus path: a blocked edge on the way names its file', async (t) => {
    const blocked = runKus(['edge', 'block', '--to', '4.9.15', '--from-version', '4.9.0-rc.6', '--server', server.url, '--token', token, '--json']);
    t.equal(blocked.status, 0, blocked.stderr);
    const { file } = JSON.parse(blocked.stdout) as { file: string };
    const r = runKus(['path', '--from', '4.9.0-rc.6', '--to', '4.9.15', '--channel', 'candidate-4.9', '--arch', 'arm64', '--server', server.url]);
    t.equal(r.status, 1);
    t.match(r.stdout, `the update 4.9.0-rc.6 → 4.9.15 is blocked by blocked-edges/${file}`);
  });

  t.test('kus explain: updates and conditional updates, VersionNotFound with a hint, a bad cluster id', async (t) => {
    const { remote, local } = both(['explain', '--version', '4.9.15', '--channel', 'stable-4.9', '--arch', 'arm64', '--id', CLUSTER_ID, '--json']);
    t.equal(remote.status, 0);
    t.same(JSON.parse(remote.stdout), JSON.parse(local.stdout));
    const view = JSON.parse(remote.stdout) as { query: string; updates: Array<{ version: string }>; conditionalUpdates: Array<{ version: string; risks: Array<{ name: string }> }> };
    t.same(view.updates.map((u) => u.version), ['4.9.15-kylinsec.1', '4.9.15-kylinsec.2']);
    t.same(view.conditionalUpdates.map((u) => [u.version, u.risks.map((r) => r.name)]), [['4.9.21-kylinsec.1', [RISK]]]);
    t.equal(view.query, `arch=arm64&channel=stable-4.9&id=${CLUSTER_ID}&version=4.9.15`, 'the query the operator sends');
    const missing = runKus(['explain', '--version', '4.9.0-rc.6', '--channel', 'stable-4.9', '--arch', 'arm64', '--server', server.url]);
    t.equal(missing.status, 1);
    t.match(missing.stdout, 'RetrievedUpdates=False VersionNotFound: currently reconciling cluster version 4.9.0-rc.6 not found in the "stable-4.9" channel');
    t.match(missing.stdout, 'hint: 4.9.0-rc.6 is in candidate-4.9');
    const badId = runKus(['explain', '--version', '4.9.15', '--channel', 'stable-4.9', '--id', 'not-a-uuid', '--db', db]);
    t.match(badId.stdout, 'RetrievedUpdates=False InvalidID');
    const invalid = runKus(['explain', '--version', 'v4.9.15', '--channel', 'stable-4.9', '--db', db]);
    t.match(invalid.stdout, 'RetrievedUpdates=False InvalidCurrentVersion');
  });

  t.test('kus doctor: per target, seen or not and signatures verified with the verifier\'s keys', async (t) => {
    const admin = (args: string[]) => runKus([...args, '--server', server.url, '--token', token]);
    t.equal(admin(['key', 'generate', '--name', 'doctor-key', '--email', 'doctor@kylin.example']).status, 0, 'a key');
    const signed = admin(['release', 'sign', '4.9.15-kylinsec.2+arm64']);
    t.equal(signed.status, 0, signed.stderr);
    const verifier = admin(['verifier-configmap', '--store-url', `${server.url}/api/upgrades_info/signatures`]);
    t.equal(verifier.status, 0, verifier.stderr);
    const verifierFile = path.join(dir, 'verifier.yaml');
    writeFileSync(verifierFile, verifier.stdout);
    const cvFile = path.join(dir, 'cv.json');
    writeFileSync(cvFile, JSON.stringify({
      apiVersion: 'config.openshift.io/v1',
      kind: 'ClusterVersion',
      metadata: { name: 'version' },
      spec: { channel: 'stable-4.9', clusterID: CLUSTER_ID, upstream: `${server.url}/api/upgrades_info/graph` },
      status: {
        desired: { version: '4.9.15', image: 'registry.kylinsec.example/ocp4/release@sha256:x' },
        availableUpdates: [{ version: '4.9.15-kylinsec.2', image: 'x' }, { version: '4.9.16', image: 'y' }],
      },
    }));
    const r = runKus(['doctor', '--clusterversion', cvFile, '--verifier-configmap', verifierFile, '--arch', 'arm64', '--server', server.url]);
    t.equal(r.status, 1, 'exit 1: not every target verifies');
    t.match(r.stdout, /4\.9\.15-kylinsec\.2 {2}recommended {2}signatures verify \(doctor-key: signature-1\)/);
    t.match(r.stdout, /4\.9\.15-kylinsec\.1 {2}recommended {2}signatures DO NOT verify: doctor-key: no signature is stored for this digest/);
    t.match(r.stdout, `4.9.21-kylinsec.1  conditional (${RISK})`);
    t.match(r.stdout, 'the cluster lists 4.9.16, which KUS does not offer it now');
    const local = runKus(['doctor', '--clusterversion', cvFile, '--verifier-configmap', verifierFile, '--arch', 'arm64', '--db', db, '--json']);
    const report = JSON.parse(local.stdout) as { targets: Array<{ version: string; signatures: { verifies: boolean } }>; ok: boolean };
    t.same(report.targets.map((x) => [x.version, x.signatures.verifies]), [['4.9.15-kylinsec.1', false], ['4.9.15-kylinsec.2', true], ['4.9.21-kylinsec.1', false]],
      'the store gives the same verdicts');
    t.equal(report.ok, false);
    const noKeys = runKus(['doctor', '--clusterversion', verifierFile, '--db', db]);
    t.equal(noKeys.status, 1);
    t.match(noKeys.stderr, /^KUS_ERR_BAD_REQUEST: the --clusterversion file is not a ClusterVersion/m);
  });
});
