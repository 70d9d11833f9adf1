// The admin API through inject, as a client sees it: each write is in the served graph as soon as its response
// arrives; every guard rail answers its status with a KUS error; writes and refusals are in the audit log.
import t, { type Test } from 'tap';
import { ADMIN, adminApp, digest, payload, type AdminApp } from './helpers/admin-app.js';

const versions = (g: { nodes: Array<{ version: string }> }): string[] => g.nodes.map((n) => n.version);
const edges = (g: { nodes: Array<{ version: string }>; edges: Array<[number, number]> }): string[] =>
  g.edges.map(([f, to]) => `${g.nodes[f]!.version}->${g.nodes[to]!.version}`).sort();

async function ok(t: Test, a: AdminApp, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown) {
  const res = await a.call(method, url, body);
  t.equal(res.statusCode, 200, `${method} ${url}: 200 (${res.statusCode === 200 ? '' : res.body})`);
  return JSON.parse(res.body) as { value: unknown; warnings: string[]; changed: boolean };
}

/** A refused request: status, code, message; nothing in the store changes but the audit log, which gains the refusal. */
async function refused(t: Test, a: AdminApp, method: 'POST' | 'PUT' | 'DELETE', url: string, body: unknown, status: number, code: string, message: RegExp) {
  const before = a.store.loadGraphInput();
  const audit = a.store.audit.list(1000).length;
  const res = await a.call(method, url, body);
  t.equal(res.statusCode, status, `${method} ${url}: ${status}`);
  const err = JSON.parse(res.body) as { code: string; message: string };
  t.equal(err.code, code, `${method} ${url}: ${code}`);
  t.match(err.message, message);
  t.same(a.store.loadGraphInput(), before, `${method} ${url}: nothing changed`);
  const rows = a.store.audit.list(1000);
  t.equal(rows.length, audit + 1, `${method} ${url}: the refusal is audited`);
  t.match(rows[0], { actor: 'tester', outcome: 'refused', error: { code } });
}

t.test('each write is in the served graph when its response arrives', async (t) => {
  const a = await adminApp(t);
  await ok(t, a, 'POST', '/channels', { name: 'stable-4.9' });
  t.same(versions(await a.graph('stable-4.9')), []);

  await ok(t, a, 'POST', '/releases', { version: '4.9.0', arch: 'amd64', payload: payload(1), channels: ['stable-4.9'] });
  t.same(versions(await a.graph('stable-4.9')), ['4.9.0'], 'release added into a channel');

  await ok(t, a, 'POST', '/releases', { version: '4.9.1', arch: 'amd64', payload: payload(2), previous: ['4.9.0'], metadata: { url: 'https://docs.example/4.9.1' } });
  t.same(versions(await a.graph('stable-4.9')), ['4.9.0'], 'a release outside the channel is not served in it');
  const promoted = await ok(t, a, 'POST', '/channels/stable-4.9/versions', { version: '4.9.1' });
  t.same(promoted.value, { name: 'stable-4.9', file: 'stable-4.9.yaml', versions: ['4.9.0', '4.9.1'] });
  let g = await a.graph('stable-4.9');
  t.same(edges(g), ['4.9.0->4.9.1'], 'promotion: the version and its update are served');
  t.equal(g.nodes[1]!.payload, payload(2));
  t.equal(g.nodes[1]!.metadata.url, 'https://docs.example/4.9.1');

  const risk = await ok(t, a, 'POST', '/edges/conditional', {
    to: '4.9.1', fromVersion: '4.9.0', url: 'https://docs.example/kb/7', name: 'DiskPressure', message: 'Nodes may run out of disk.',
    matchingRules: [{ type: 'PromQL', promql: { promql: 'max(kylin_disk_pressure) > 0' } }],
  });
  t.match(risk.value, { file: '4.9.1-disk-pressure.yaml' });
  g = await a.graph('stable-4.9');
  t.same(edges(g), [], 'the risky update left the unconditional edges');
  t.match(g.conditionalEdges, [{ edges: [{ from: '4.9.0', to: '4.9.1' }], risks: [{ name: 'DiskPressure' }] }]);

  await ok(t, a, 'DELETE', '/edges/4.9.1-disk-pressure.yaml');
  await ok(t, a, 'POST', '/edges/blocked', { to: '4.9.1', from: '^4[.]9[.]0[+].*$' });
  g = await a.graph('stable-4.9');
  t.same([edges(g), g.conditionalEdges], [[], []], 'blocked: no edge of either kind');
  await ok(t, a, 'DELETE', '/edges/4.9.1.yaml');
  t.same(edges(await a.graph('stable-4.9')), ['4.9.0->4.9.1'], 'unblocked');

  await ok(t, a, 'PUT', '/raw-metadata/4.9.1', { key: 'io.openshift.upgrades.graph.previous.remove', value: '4.9.0' });
  t.same(edges(await a.graph('stable-4.9')), [], 'raw metadata applies at once');
  const deleted = await ok(t, a, 'DELETE', '/raw-metadata/4.9.1/io.openshift.upgrades.graph.previous.remove');
  t.same(deleted.value, { version: '4.9.1', key: 'io.openshift.upgrades.graph.previous.remove', value: null });
  t.same(edges(await a.graph('stable-4.9')), ['4.9.0->4.9.1']);

  await ok(t, a, 'DELETE', '/channels/stable-4.9/versions/4.9.0');
  t.same(versions(await a.graph('stable-4.9')), ['4.9.1']);
  const removed = await ok(t, a, 'DELETE', '/releases/4.9.0?arch=amd64');
  t.equal((removed.value as { digest: string }).digest, digest(1));
  await ok(t, a, 'DELETE', '/channels/stable-4.9');
  t.same(versions(await a.graph('stable-4.9')), []);
});

t.test('reads: releases, one release, channels, edges, audit', async (t) => {
  const a = await adminApp(t);
  await ok(t, a, 'POST', '/channels', { name: 'fast-4.9' });
  await ok(t, a, 'POST', '/releases', { version: '4.9.0', arch: 'arm64', payload: payload(1), channels: ['fast-4.9'] });
  await ok(t, a, 'POST', '/releases', { version: '4.9.0', arch: 'amd64', payload: payload(2) });
  t.same((await ok(t, a, 'GET', '/releases?arch=arm64')).value, [
    { version: '4.9.0', arch: 'arm64', payload: payload(1), digest: digest(1), metadata: {}, previous: [], next: [] },
  ]);
  t.equal(((await ok(t, a, 'GET', '/releases?channel=fast-4.9')).value as unknown[]).length, 2, 'a plain channel entry lists every arch');
  t.equal(((await ok(t, a, 'GET', `/releases/${encodeURIComponent('4.9.0+amd64')}`)).value as unknown[]).length, 1);
  t.equal(((await ok(t, a, 'GET', '/releases/4.9.0')).value as unknown[]).length, 2);
  t.same((await ok(t, a, 'GET', '/channels')).value, [{ name: 'fast-4.9', file: 'fast-4.9.yaml', versions: ['4.9.0'] }]);
  t.same((await ok(t, a, 'GET', '/edges')).value, { blocked: [], conditional: [] });
  const audit = (await ok(t, a, 'GET', '/audit?limit=2')).value as Array<{ action: string; actor: string }>;
  t.same(audit.map((e) => [e.action, e.actor]), [['release.add', 'tester'], ['release.add', 'tester']]);
  t.equal((await a.call('GET', '/releases/4.9.7')).statusCode, 404);
  t.equal((await a.call('GET', '/audit?limit=0')).statusCode, 400);
  t.equal((await a.call('GET', '/releases?colour=blue')).statusCode, 400, 'unknown query parameters are refused');
});

t.test('guard rails answer their status and change nothing but the audit log', async (t) => {
  const a = await adminApp(t);
  await ok(t, a, 'POST', '/channels', { name: 'stable-4.9' });
  const first = await ok(t, a, 'POST', '/releases', { version: '4.9.0', arch: 'amd64', payload: payload(1), channels: ['stable-4.9'] });
  t.equal(first.changed, true);
  const again = await ok(t, a, 'POST', '/releases', { version: '4.9.0', arch: 'amd64', payload: payload(1) });
  t.same([again.changed, again.value], [false, first.value], 'idempotent re-add');

  await refused(t, a, 'POST', '/releases', { version: '4.9.0', arch: 'amd64', payload: payload(2) }, 409, 'KUS_ERR_DIGEST_MISMATCH',
    /already stored with digest sha256:0+1\b.*refusing sha256:0+2\b.*cannot be told apart.*oc adm release new .*--name <new version>/);
  await refused(t, a, 'POST', '/releases', { version: '4.9.1', arch: 'amd64', payload: 'quay.example/ocp/release:4.9.1' }, 400, 'KUS_ERR_INVALID_PAYLOAD',
    /"quay\.example\/ocp\/release:4\.9\.1" is not pinned by digest.*kus release ingest/);
  await refused(t, a, 'POST', '/releases', { version: 'four', arch: 'amd64', payload: payload(3) }, 400, 'KUS_ERR_INVALID_SEMVER', /"four"/);
  await refused(t, a, 'POST', '/releases', { version: '4.9.1', arch: 'amd64', payload: payload(3), previous: ['4.9.1'] }, 409, 'KUS_ERR_CYCLE', /4\.9\.1/);
  await refused(t, a, 'POST', '/releases', { version: '4.9.1', arch: 'amd64', payload: payload(3), channel: ['stable-4.9'] }, 400, 'KUS_ERR_BAD_REQUEST',
    /body has an unknown property "channel"/);
  await refused(t, a, 'POST', '/releases', { version: '4.9.1', arch: 'amd64' }, 400, 'KUS_ERR_BAD_REQUEST', /payload/);
  await refused(t, a, 'POST', '/channels/stable-4.9/versions', { version: '4.9.0+arm64' }, 404, 'KUS_ERR_NOT_FOUND', /no release 4\.9\.0 is stored for arm64/);
  await refused(t, a, 'POST', '/channels/stable-4.9/versions', { version: '4.9.5' }, 404, 'KUS_ERR_NOT_FOUND', /no release 4\.9\.5/);
  await refused(t, a, 'POST', '/channels', { name: 'Stable_4.9' }, 400, 'KUS_ERR_INVALID_CHANNEL', /"Stable_4\.9"/);
  await refused(t, a, 'DELETE', '/releases/4.9.0?arch=amd64', undefined, 409, 'KUS_ERR_CONFLICT', /stable-4\.9 still lists 4\.9\.0\+amd64/);
  await refused(t, a, 'POST', '/edges/blocked', { to: '4.9.0', from: '4.9.(' }, 400, 'KUS_ERR_INVALID_REGEX', /"4\.9\.\("/);
  await refused(t, a, 'POST', '/edges/conditional', {
    to: '4.9.0', from: '.*', url: 'https://x.example', name: 'R', message: 'm', matchingRules: [{ type: 'PromQL' }],
  }, 400, 'KUS_ERR_INVALID_RISK', /PromQL rule needs a non-empty promql\.promql/);
  await refused(t, a, 'PUT', '/raw-metadata/4.9.0', { key: 'io.openshift.upgrades.graph.next.add', value: 'x' }, 400, 'KUS_ERR_INVALID_METADATA', /item "x"/);
  await refused(t, a, 'POST', '/releases', '{"version": ', 400, 'KUS_ERR_BAD_REQUEST', /JSON/);

  const forced = await ok(t, a, 'DELETE', '/releases/4.9.0?arch=amd64&force=true');
  t.match(forced.warnings, [/removed 4\.9\.0 from channel stable-4\.9/]);
  t.same((await a.graph('stable-4.9')).nodes, []);
});

t.test('tokens over the API: a new token works at once, a revoked one at once no more', async (t) => {
  const a = await adminApp(t);
  const created = await ok(t, a, 'POST', '/tokens', { name: 'ci' });
  const { token } = created.value as { name: string; token: string };
  const withNew = await a.app.inject({ url: `${ADMIN}/tokens`, headers: { authorization: `Bearer ${token}` } });
  t.equal(withNew.statusCode, 200);
  t.same((JSON.parse(withNew.body) as { value: Array<{ name: string }> }).value.map((x) => x.name), ['ci', 'tester']);
  t.notOk(withNew.body.includes(token), 'listing never shows a secret');
  t.same((await ok(t, a, 'DELETE', '/tokens/ci')).value, { name: 'ci' });
  t.equal((await a.app.inject({ url: `${ADMIN}/tokens`, headers: { authorization: `Bearer ${token}` } })).statusCode, 401);
  await refused(t, a, 'DELETE', '/tokens/ci', undefined, 404, 'KUS_ERR_NOT_FOUND', /no active token named "ci"/);
  await refused(t, a, 'POST', '/tokens', { name: 'tester' }, 409, 'KUS_ERR_CONFLICT', /"tester" exists already/);
  const audit = (await ok(t, a, 'GET', '/audit?limit=10')).value as Array<{ action: string; outcome: string; after: unknown }>;
  t.notOk(JSON.stringify(audit).includes(token), 'the audit log never holds a secret');
  t.match(audit.slice(0, 4).map((e) => [e.action, e.outcome]), [['token.create', 'refused'], ['token.revoke', 'refused'], ['token.revoke', 'ok'], ['token.create', 'ok']]);
});
