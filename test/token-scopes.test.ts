// Token scopes on the app as `kus serve` composes it (fleet inventory included): the admin operations are walked from
// the app's own OpenAPI document (checked against the registered routes in admin-auth.test.ts), never a hand-made list.
// A fleet-report token gets 403 on every operation but the fleet report; a viewer reads everything and writes nothing;
// an admin token is never refused for its scope. The CLI creates and lists tokens with their scope.
import t from 'tap';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/server/app.js';
import { adminRoutes } from '../src/server/routes/admin/index.js';
import { FleetInventory, FleetRecorder } from '../src/services/fleet/index.js';
import { GraphCache } from '../src/services/graph-cache.js';
import { servedGraphsOf } from '../src/services/graph-explorer.js';
import { Publisher } from '../src/services/publisher.js';
import { Tokens } from '../src/services/tokens.js';
import { openStore, type Store } from '../src/store/index.js';
import { ADMIN, silentLogger } from './helpers/admin-app.js';
import { clusterUuid } from './helpers/fleet-polls.js';
import { runKus } from './helpers/run-cli.js';
import { tempTree } from './helpers/temp-tree.js';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
interface Operation { method: Method; path: string }
interface OpenApiDoc { paths: Record<string, Record<string, { responses?: Record<string, unknown> }>> }

const REPORT = `${ADMIN}/fleet/reports`;
/** `{version}` → a version of graph-data/, other parameters → a channel: harmless values that reach the handler. */
const concrete = (p: string): string => p.replace(/\{[^}]+\}/g, (m) => (m === '{version}' ? '4.9.15' : 'stable-4.9'));
const uuid = clusterUuid;

async function composed(t: Parameters<typeof tempTree>[0]) {
  const store: Store = openStore(path.join(tempTree(t), 'kus.db'));
  const cache = new GraphCache({ load: () => store.loadGraphInput(), logger: silentLogger });
  const publisher = new Publisher({ store, rebuild: () => cache.rebuild() });
  cache.rebuild();
  const tokens = new Tokens({ store });
  const recorder = new FleetRecorder({ repository: store.fleet, logger: silentLogger });
  const inventory = new FleetInventory({ repository: store.fleet, served: servedGraphsOf(cache) });
  const app: FastifyInstance = buildApp({
    graphs: cache, logLevel: 'silent', fleet: { recorder, inventory },
    admin: { publisher, tokens, fleet: inventory, fleetReports: recorder },
    limits: { authFailures: { max: 1_000_000, windowMs: 60_000 } },
  });
  t.teardown(async () => {
    await app.close();
    store.close();
  });
  await app.ready();
  const doc = JSON.parse((await app.inject({ url: '/openapi.json' })).body) as OpenApiDoc;
  const operations: Operation[] = [];
  for (const [p, methods] of Object.entries(doc.paths)) {
    if (!p.startsWith(ADMIN)) continue;
    for (const method of Object.keys(methods)) operations.push({ method: method.toUpperCase() as Method, path: p });
  }
  const token = (name: string, scope: 'admin' | 'viewer' | 'fleet-report'): string => tokens.create({ name: 'setup' }, name, scope).token;
  const call = (op: Operation, bearer: string, payload?: object) =>
    app.inject({ method: op.method, url: concrete(op.path), headers: { authorization: `Bearer ${bearer}` }, ...(payload ? { payload } : {}) });
  return { app, store, doc, operations, token, call, tokens };
}

const report = (entries: object[]) => ({ replica: 'test', entries });
const entry = (n: number) => ({
  id: uuid(n), firstSeen: 1_700_000_000_000, lastSeen: 1_700_000_000_000, version: '4.9.15', firstVersion: '4.9.15',
  channel: 'stable-4.9', arch: 'arm64', userAgent: 'ClusterVersionOperator/4.9', changes: [],
});

t.test('a fleet-report token gets 403 on every admin operation but the fleet report', async (t) => {
  const s = await composed(t);
  t.equal(s.operations.length, adminRoutes.length, 'one documented operation per admin route module');
  const replica = s.token('replica-east', 'fleet-report');
  const before = JSON.stringify([s.store.loadGraphInput(), s.tokens.list().map((x) => [x.name, x.scope])]);
  let refused = 0;
  for (const op of s.operations) {
    if (op.method === 'POST' && op.path === REPORT) continue;
    const body = op.method === 'POST' || op.method === 'PUT' ? { name: 'x-1' } : undefined;
    const res = await s.call(op, replica, body);
    t.equal(res.statusCode, 403, `${op.method} ${op.path}: 403`);
    const answer = JSON.parse(res.body) as { code: string; message: string };
    t.equal(answer.code, 'KUS_ERR_FORBIDDEN');
    t.match(answer.message, /token "replica-east" has scope fleet-report, which may not (GET|POST|PUT|DELETE) \/api\/admin\/v1\/\S+: fleet-report tokens only send a replica's fleet reports/);
    refused++;
  }
  t.equal(refused, s.operations.length - 1, `${refused} operations refused, GETs included`);
  t.equal(JSON.stringify([s.store.loadGraphInput(), s.tokens.list().map((x) => [x.name, x.scope])]), before, 'nothing was written');
  const sent = await s.app.inject({ method: 'POST', url: REPORT, headers: { authorization: `Bearer ${replica}` }, payload: report([entry(1), entry(2)]) });
  t.equal(sent.statusCode, 200, `the fleet report is accepted: ${sent.body}`);
  t.same(JSON.parse(sent.body).value, { accepted: 2 });
  t.same(s.store.fleet.clusters({}).map((c) => c.id), [uuid(1), uuid(2)], 'written before the answer');
});

t.test('a viewer token reads every GET and is refused every write; refused writes are audited', async (t) => {
  const s = await composed(t);
  const viewer = s.token('dashboard', 'viewer');
  const reads = s.operations.filter((op) => op.method === 'GET');
  const writes = s.operations.filter((op) => op.method !== 'GET');
  t.ok(reads.length >= 10 && writes.length >= 15, `${reads.length} reads, ${writes.length} writes`);
  t.ok(reads.some((op) => op.path.startsWith(`${ADMIN}/fleet/`)), 'the fleet views are among the reads');
  for (const op of reads) {
    const res = await s.call(op, viewer);
    t.not(res.statusCode, 403, `${op.method} ${op.path}: not refused for its scope (${res.statusCode})`);
    t.not(res.statusCode, 401, `${op.method} ${op.path}: authenticated`);
  }
  for (const path of ['/fleet/versions', '/fleet/clusters', '/fleet/updates', '/fleet/problems', '/releases', '/channels', '/tokens', '/audit', '/token']) {
    const res = await s.call({ method: 'GET', path: `${ADMIN}${path}` }, viewer);
    t.equal(res.statusCode, 200, `GET ${path}: 200`);
  }
  t.same(JSON.parse((await s.call({ method: 'GET', path: `${ADMIN}/token` }, viewer)).body).value, { name: 'dashboard', scope: 'viewer' }, 'GET /token says who');
  const before = JSON.stringify([s.store.loadGraphInput(), s.tokens.list().map((x) => [x.name, x.scope]), s.store.fleet.count()]);
  for (const op of writes) {
    const body = op.path === REPORT ? report([entry(3)]) : op.method === 'POST' || op.method === 'PUT' ? { name: 'x-1' } : undefined;
    const res = await s.call(op, viewer, body);
    t.equal(res.statusCode, 403, `${op.method} ${op.path}: 403`);
    t.match(JSON.parse(res.body), { code: 'KUS_ERR_FORBIDDEN', message: /scope viewer, which may not (POST|PUT|DELETE) \/api\/admin\/v1\/\S+: viewer tokens only read \(GET\); this route needs a token of scope admin/ });
  }
  t.equal(JSON.stringify([s.store.loadGraphInput(), s.tokens.list().map((x) => [x.name, x.scope]), s.store.fleet.count()]), before, 'nothing was written');
  const refusals = s.store.audit.list(1000).filter((a) => a.outcome === 'refused' && a.actor === 'dashboard');
  t.ok(refusals.length >= 15, `${refusals.length} refused writes audited`);
  t.ok(refusals.every((a) => a.error?.code === 'KUS_ERR_FORBIDDEN'), 'with KUS_ERR_FORBIDDEN');
});

t.test('an admin token is refused nowhere for its scope; scopes through the token API; 403 is documented', async (t) => {
  const s = await composed(t);
  const admin = s.token('root', 'admin');
  for (const op of s.operations) {
    const body = op.path === REPORT ? report([entry(4)]) : op.method === 'POST' || op.method === 'PUT' ? { name: 'x-1' } : undefined;
    const res = await s.call(op, admin, body);
    t.not(res.statusCode, 403, `${op.method} ${op.path}: ${res.statusCode}`);
  }
  const created = await s.call({ method: 'POST', path: `${ADMIN}/tokens` }, admin, { name: 'grafana', scope: 'viewer' });
  t.equal(created.statusCode, 200, created.body);
  t.match(JSON.parse(created.body).value, { name: 'grafana', scope: 'viewer', token: /^kus_/ });
  const bad = await s.call({ method: 'POST', path: `${ADMIN}/tokens` }, admin, { name: 'x', scope: 'root' });
  t.equal(bad.statusCode, 400, 'an unknown scope is refused by the schema');
  const listed = JSON.parse((await s.call({ method: 'GET', path: `${ADMIN}/tokens` }, admin)).body).value as Array<{ name: string; scope: string }>;
  t.same(listed.find((x) => x.name === 'grafana')?.scope, 'viewer');
  for (const op of s.operations) {
    const responses = s.doc.paths[op.path]![op.method.toLowerCase()]!.responses ?? {};
    t.ok(responses['403'], `${op.method} ${op.path} documents 403`);
  }
});

t.test('kus token create NAME --scope, kus token list shows the scope', async (t) => {
  const db = path.join(tempTree(t), 'kus.db');
  const made = runKus(['token', 'create', 'replica-west', '--scope', 'fleet-report', '--db', db, '--json'], { KUS_TOKEN: '' });
  t.equal(made.status, 0, made.stderr);
  t.same(Object.keys(JSON.parse(made.stdout)).sort(), ['name', 'scope', 'token']);
  t.match(JSON.parse(made.stdout), { name: 'replica-west', scope: 'fleet-report' });
  t.equal(runKus(['token', 'create', '--name', 'ops', '--db', db], { KUS_TOKEN: '' }).status, 0, '--name still works, admin by default');
  const wrong = runKus(['token', 'create', 'x', '--scope', 'root', '--db', db], { KUS_TOKEN: '' });
  t.equal(wrong.status, 1);
  t.match(wrong.stderr, /^KUS_ERR_BAD_REQUEST: token scope "root" is not one of admin, viewer, fleet-report/);
  const listed = runKus(['token', 'list', '--db', db, '--json'], { KUS_TOKEN: '' });
  t.same((JSON.parse(listed.stdout) as Array<{ name: string; scope: string }>).map((x) => [x.name, x.scope]), [['ops', 'admin'], ['replica-west', 'fleet-report']]);
  t.match(runKus(['token', 'list', '--db', db], { KUS_TOKEN: '' }).stdout, /NAME\s+SCOPE\s+CREATED[\s\S]*replica-west\s+fleet-report/);
});
