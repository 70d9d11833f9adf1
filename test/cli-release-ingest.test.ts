// `kus release ingest` (the built binary) against real registries, on a local store and through a `kus serve` child.
import t from 'tap';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { openStore } from '../src/store/index.js';
import { image, releaseImage } from './helpers/images.js';
import { registrySkip, startRegistry } from './helpers/registry.js';
import { runKusAsync } from './helpers/run-cli.js';
import { serveChild, servedGraph } from './helpers/serve-child.js';
import { repoRoot } from './helpers/shared-fixtures.js';
import { tempTree } from './helpers/temp-tree.js';

const cli = path.join(repoRoot, 'dist/cli/main.js');
if (!existsSync(cli)) throw new Error(`${cli} is missing: run "npm run build" first (npm test does it)`);
const skip = registrySkip();


t.test('on a local store (--db)', { skip }, async (t) => {
  const open = await startRegistry(t);
  const basic = await startRegistry(t, 'htpasswd');
  const db = path.join(tempTree(t), 'kus.db');
  const repo = `${open.host}/ocp/release`;
  const digest = await open.push('ocp/release', '4.9.1', await releaseImage({ version: '4.9.1', previous: ['4.9.0'] }, 'aarch64'));
  await open.push('ocp/component', 'v1', await image({ arch: 'amd64', layers: [[{ path: 'bin/x', body: 'x' }]] }));

  let r = await runKusAsync(['release', 'ingest', `${repo}:4.9.1`, '--insecure', '--db', db]);
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stdout, `ingested 4.9.1+arm64 into store ${JSON.stringify(db)}\n  payload: ${repo}@${digest}\n  previous: 4.9.0\n`);
  t.match(r.stderr, /^warning: previous 4\.9\.0: no release 4\.9\.0\+arm64 is stored yet/, 'the warning on stderr');

  r = await runKusAsync(['release', 'ingest', `${repo}@${digest}`, '--insecure', '--db', db, '--json']);
  t.equal(r.status, 0, r.stderr);
  t.same(JSON.parse(r.stdout), { version: '4.9.1', arch: 'arm64', payload: `${repo}@${digest}`, digest, metadata: {}, previous: ['4.9.0'], next: [] },
    '--json prints the stored release');
  r = await runKusAsync(['release', 'ingest', `${repo}:4.9.1`, '--insecure', '--db', db]);
  t.match(r.stdout, /^4\.9\.1\+arm64 is already stored with this digest; nothing changed/, 'idempotent');

  r = await runKusAsync(['release', 'ingest', `${open.host}/ocp/component:v1`, '--insecure', '--db', db]);
  t.equal(r.status, 1);
  t.match(r.stderr, /^KUS_ERR_NOT_A_RELEASE: .*ocp\/component:v1 \(sha256:[0-9a-f]{64}\) is not a release image/);
  r = await runKusAsync(['release', 'ingest', `${repo}:4.9.1`, '--db', db]);
  t.equal(r.status, 1);
  t.match(r.stderr, /^KUS_ERR_REGISTRY: cannot reach registry .*use --insecure/, 'https to a plain-HTTP registry says what to do');

  const bdigest = await basic.push('ocp/release', '4.9.2', await releaseImage({ version: '4.9.2' }));
  r = await runKusAsync(['release', 'ingest', `${basic.host}/ocp/release:4.9.2`, '--insecure', '--db', db, '--registry-auth', basic.pullSecret()]);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, `payload: ${basic.host}/ocp/release@${bdigest}`);
  r = await runKusAsync(['release', 'ingest', `${basic.host}/ocp/release:4.9.2`, '--insecure', '--db', db, '--registry-auth', basic.pullSecret('nope')]);
  t.equal(r.status, 1);
  t.match(r.stderr, /^KUS_ERR_REGISTRY_AUTH: registry "127\.0\.0\.1:\d+" refused the credentials of user "kus-ci"/);
  r = await runKusAsync(['release', 'ingest', `${basic.host}/ocp/release:4.9.2`, '--insecure', '--db', db, '--registry-auth', '/nonexistent/auth.json']);
  t.equal(r.status, 1);
  t.match(r.stderr, /^KUS_ERR_IO: cannot read the pull secret "\/nonexistent\/auth\.json"/);

  const store = openStore(db);
  t.teardown(() => store.close());
  t.same(store.releases.list().map((x) => x.payload).sort(), [`${basic.host}/ocp/release@${bdigest}`, `${repo}@${digest}`].sort(), 'two releases stored');
  t.match(store.audit.list(1)[0]!.actor, /^local:/, 'audited as the local user');
});

t.test('through a server (--server), against a token-auth registry', { skip }, async (t) => {
  const reg = await startRegistry(t, 'token');
  const repo = `${reg.host}/ocp/release`;
  const digest = await reg.push('ocp/release', '5.1.0', await releaseImage({ version: '5.1.0' }, 'arm64'));
  const db = path.join(tempTree(t), 'kus.db');
  const created = await runKusAsync(['token', 'create', '--db', db, '--name', 'ci', '--json']);
  t.equal(created.status, 0, created.stderr);
  const { token } = JSON.parse(created.stdout) as { token: string };
  const server = await serveChild(t, ['--db', db, '--graph-data', path.join(repoRoot, 'graph-data')]);
  const remote = ['--server', server.url, '--token', token];
  let r = await runKusAsync(['channel', 'create', 'candidate-5.1', ...remote]);
  t.equal(r.status, 0, r.stderr);

  r = await runKusAsync(['release', 'ingest', `${repo}:5.1.0`, '--insecure', ...remote]);
  t.equal(r.status, 1);
  t.match(r.stderr, /^KUS_ERR_REGISTRY_AUTH: registry "127\.0\.0\.1:\d+" asks for credentials \(Bearer\)/, 'the server has no pull secret');

  r = await runKusAsync(['release', 'ingest', `${repo}:5.1.0`, '--insecure', '--registry-auth', reg.pullSecret(), '--channel', 'candidate-5.1', ...remote]);
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stdout, `ingested 5.1.0+arm64 into server ${JSON.stringify(server.url)}\n  payload: ${repo}@${digest}\n  channels: candidate-5.1\n`);
  const graph = await servedGraph(server.url, 'candidate-5.1', 'arm64');
  t.same(graph.nodes.map((n) => [n.version, n.payload]), [['5.1.0', `${repo}@${digest}`]], 'served when the command returns');
  t.ok(reg.tokens!.requests.some((q) => q.status === 200 && q.user === 'kus-ci'), 'the server used the token flow with the pull secret');
});

t.test('--help', async (t) => {
  const r = await runKusAsync(['release', 'ingest', '--help']);
  t.equal(r.status, 0);
  for (const flag of ['--channel C', '--registry-auth FILE', '--insecure', '--ca-file FILE', '--server URL', '--db FILE']) t.match(r.stdout, flag);
  t.match(r.stdout, /release-manifests\/release-metadata/);
});
