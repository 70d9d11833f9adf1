// Ingest from a real docker-registry through the service and the admin API: stored by digest, guard rails, audit.
import t, { type Test } from 'tap';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { KusError } from '../src/errors/index.js';
import { readDockerConfigFile } from '../src/registry/index.js';
import { buildApp } from '../src/server/app.js';
import { GraphCache } from '../src/services/graph-cache.js';
import { Ingest } from '../src/services/ingest.js';
import { Publisher } from '../src/services/publisher.js';
import { Tokens } from '../src/services/tokens.js';
import { openStore } from '../src/store/index.js';
import { image, manifestList, releaseFiles, releaseImage } from './helpers/images.js';
import { registrySkip, startRegistry, type TestRegistry } from './helpers/registry.js';
import { tempTree } from './helpers/temp-tree.js';

const skip = registrySkip();
const ADMIN = '/api/admin/v1';
const quiet = { info() {}, warn() {}, error() {} };
const actor = { name: 'tester' };

/** The services and app as `kus serve` composes them, on a temp store. */
async function setup(t: Test, registry: ConstructorParameters<typeof Ingest>[0]['registry'] = { insecure: true }) {
  const store = openStore(path.join(tempTree(t), 'kus.db'));
  const cache = new GraphCache({ load: () => store.loadGraphInput(), logger: quiet });
  cache.rebuild();
  const publisher = new Publisher({ store, rebuild: () => cache.rebuild() });
  const tokens = new Tokens({ store });
  const ingest = new Ingest({ publisher, registry });
  const app = buildApp({ graphs: cache, logLevel: 'silent', admin: { publisher, tokens, ingest } });
  t.teardown(async () => {
    await app.close();
    store.close();
  });
  await app.ready();
  const { token } = tokens.create({ name: 'setup' }, 'tester');
  const post = (body: unknown, auth = `Bearer ${token}`) =>
    app.inject({ method: 'POST', url: `${ADMIN}/releases/ingest`, headers: { authorization: auth }, payload: body as object });
  const graph = async (channel: string, arch: string) => {
    const res = await app.inject({ url: `/api/upgrades_info/graph?channel=${channel}&arch=${arch}`, headers: { accept: 'application/json' } });
    return JSON.parse(res.body) as { nodes: Array<{ version: string; payload: string; metadata: Record<string, string> }>; edges: number[][] };
  };
  return { store, publisher, ingest, app, post, graph };
}

async function rejection(p: Promise<unknown>): Promise<KusError> {
  const err = await p.then(() => null, (e: unknown) => e);
  if (!(err instanceof KusError)) throw new Error(`expected a KusError, got ${String(err)}`);
  return err;
}

t.test('through the service, against an open registry', { skip }, async (t) => {
  const reg: TestRegistry = await startRegistry(t);
  const repo = `${reg.host}/ocp/release`;
  const { publisher, ingest, store, graph } = await setup(t);
  publisher.createChannel(actor, 'candidate-4.9');
  const d490 = await reg.push('ocp/release', '4.9.0', await releaseImage({ version: '4.9.0' }));
  const d491 = await reg.push('ocp/release', '4.9.1', await releaseImage({ version: '4.9.1', previous: ['4.9.0'], metadata: { url: 'https://errata.example/4.9.1' } }));

  const first = await ingest.ingest(actor, `${repo}:4.9.0`, { channels: ['candidate-4.9'] });
  t.equal(first.changed, true);
  const r = await ingest.ingest(actor, `${repo}:4.9.1`, { channels: ['candidate-4.9'] });
  t.same(r.value, {
    version: '4.9.1', arch: 'amd64', payload: `${repo}@${d491}`, digest: d491,
    metadata: { url: 'https://errata.example/4.9.1' }, previous: ['4.9.0'], next: [],
  }, 'the release as stored: by digest, from the image');
  t.same(r.warnings, [], 'previous 4.9.0 is stored: no warning');
  const rows = store.releases.list().map((x) => [x.version, x.arch, x.payload]);
  t.same(rows, [['4.9.0', 'amd64', `${repo}@${d490}`], ['4.9.1', 'amd64', `${repo}@${d491}`]], 'the store rows');
  const served = await graph('candidate-4.9', 'amd64');
  t.same(served.nodes.map((n) => [n.version, n.payload, n.metadata['io.openshift.upgrades.graph.release.manifestref']]).sort(),
    [['4.9.0', `${repo}@${d490}`, d490], ['4.9.1', `${repo}@${d491}`, d491]], 'served at once, with the manifestref');
  t.equal(served.edges.length, 1, 'the edge 4.9.0 → 4.9.1 from previous');

  const again = await ingest.ingest(actor, `${repo}@${d491}`, {});
  t.equal(again.changed, false, 're-ingest by digest is a no-op');

  await reg.push('ocp/release', '4.9.1-rebuilt', await releaseImage({ version: '4.9.1', metadata: { rebuilt: 'yes' } }));
  const clash = await rejection(ingest.ingest(actor, `${repo}:4.9.1-rebuilt`, {}));
  t.equal(clash.code, 'KUS_ERR_DIGEST_MISMATCH', 'the same version with another digest is refused by the publisher');
  t.equal(clash.status, 409);
  t.match(clash.message, /oc adm release new/);

  await reg.push('ocp/component', 'v1', await image({ arch: 'amd64', layers: [[{ path: 'bin/x', body: 'x' }]] }));
  const junk = await rejection(ingest.ingest(actor, `${reg.host}/ocp/component:v1`, {}));
  t.equal(junk.code, 'KUS_ERR_NOT_A_RELEASE');
  t.equal(junk.status, 422);
  const audit = publisher.auditLog({ limit: 1 })[0]!;
  t.match(audit, { actor: 'tester', action: 'release.ingest', target: `${reg.host}/ocp/component:v1` }, 'the refusal is audited');
  t.match(JSON.stringify(audit), /KUS_ERR_NOT_A_RELEASE/);
  t.equal(store.releases.list().length, 2, 'nothing else stored');

  const amd = await releaseImage({ version: '4.10.0', metadata: { 'release.openshift.io/architecture': 'multi' } }, 'amd64');
  const arm = await image({ arch: 'arm64', layers: [releaseFiles({ version: '4.10.0', previous: ['4.9.1'], metadata: { 'release.openshift.io/architecture': 'multi' } })] });
  const dList = await reg.push('ocp/release', '4.10.0', manifestList([{ image: amd, arch: 'amd64' }, { image: arm, arch: 'arm64' }]));
  const multi = await ingest.ingest(actor, `${repo}:4.10.0`, {});
  t.match(multi.value, { version: '4.10.0', arch: 'multi', payload: `${repo}@${dList}` }, 'a manifest list is stored as multi');
  t.match(multi.warnings, [/previous 4\.9\.1: no release 4\.9\.1\+multi is stored yet/], 'an unknown previous is a warning');
});

t.test('through the admin API', { skip }, async (t) => {
  const reg = await startRegistry(t, 'htpasswd');
  const repo = `${reg.host}/ocp/release`;
  const digest = await reg.push('ocp/release', '5.0.0', await releaseImage({ version: '5.0.0' }, 'arm64'));
  await reg.push('ocp/component', 'v1', await image({ arch: 'amd64', layers: [[{ path: 'bin/x', body: 'x' }]] }));
  // The server has the pull secret (kus serve --registry-auth); requests need not carry one.
  const secret = reg.pullSecret();
  const { post, graph, publisher, app } = await setup(t, { insecure: true, auth: readDockerConfigFile(secret) });
  publisher.createChannel(actor, 'stable-5.0');

  let res = await post({ pullSpec: `${repo}:5.0.0`, channels: ['stable-5.0'] });
  t.equal(res.statusCode, 200, res.body);
  t.same(JSON.parse(res.body), {
    value: { version: '5.0.0', arch: 'arm64', payload: `${repo}@${digest}`, digest, metadata: {}, previous: [], next: [] },
    warnings: [],
    changed: true,
  });
  t.same((await graph('stable-5.0', 'arm64')).nodes.map((n) => n.payload), [`${repo}@${digest}`], 'served when the answer arrives');
  res = await post({ pullSpec: `${repo}@${digest}` });
  t.match(JSON.parse(res.body), { changed: false }, 'idempotent');

  res = await post({ pullSpec: `${reg.host}/ocp/component:v1` });
  t.equal(res.statusCode, 422);
  t.match(JSON.parse(res.body), { code: 'KUS_ERR_NOT_A_RELEASE', message: /is not a release image/ });

  res = await post({ pullSpec: `${repo}:nope` });
  t.equal(res.statusCode, 404);
  t.match(JSON.parse(res.body), { code: 'KUS_ERR_NOT_FOUND' });

  // Credentials in the request win over the server's.
  const wrong = JSON.parse(readFileSync(reg.pullSecret('wrong'), 'utf8')) as unknown;
  res = await post({ pullSpec: `${repo}:5.0.0`, registryAuth: wrong });
  t.equal(res.statusCode, 502);
  t.match(JSON.parse(res.body), { code: 'KUS_ERR_REGISTRY_AUTH', message: /refused the credentials of user "kus-ci"/ });

  res = await post({ pullSpec: `${repo}:5.0.0`, registryAuth: { auths: {} }, insecure: false });
  t.equal(res.statusCode, 502, 'https to a plain-HTTP registry');
  t.match(JSON.parse(res.body), { code: 'KUS_ERR_REGISTRY', message: /--insecure/ });

  res = await post({ pullSpec: `${repo}:5.0.0`, channel: 'x' });
  t.equal(res.statusCode, 400, 'unknown fields are refused');
  res = await post({ pullSpec: 'Not A Spec' });
  t.equal(res.statusCode, 400);
  t.match(JSON.parse(res.body), { code: 'KUS_ERR_INVALID_PULL_SPEC' });
  res = await post({ pullSpec: `${repo}:5.0.0` }, 'Bearer wrong');
  t.equal(res.statusCode, 401, 'a token is required');

  const spec = JSON.parse((await app.inject({ url: '/openapi.json' })).body) as { paths: Record<string, Record<string, { operationId?: string; responses?: object }>> };
  const op = spec.paths[`${ADMIN}/releases/ingest`]?.post;
  t.equal(op?.operationId, 'ingestRelease', 'documented in OpenAPI');
  t.same(Object.keys(op?.responses ?? {}).sort(), ['200', '400', '401', '403', '404', '409', '422', '500', '502']);
});

t.test('through the service, against a token-auth registry', { skip }, async (t) => {
  const reg = await startRegistry(t, 'token');
  const repo = `${reg.host}/ocp/release`;
  const digest = await reg.push('ocp/release', '6.0.0', await releaseImage({ version: '6.0.0' }, 's390x'));
  const { ingest } = await setup(t, { insecure: true });
  const denied = await rejection(ingest.ingest(actor, `${repo}:6.0.0`, {}));
  t.equal(denied.code, 'KUS_ERR_REGISTRY_AUTH');
  t.match(denied.message, /asks for credentials \(Bearer\) to read ".*ocp\/release" and no pull secret was given/);
  const auth = JSON.parse(readFileSync(reg.pullSecret(), 'utf8')) as unknown;
  const ok = await ingest.ingest(actor, `${repo}:6.0.0`, { registry: { auth } });
  t.match(ok.value, { version: '6.0.0', arch: 's390x', payload: `${repo}@${digest}` }, 'with a per-request pull secret');
});
