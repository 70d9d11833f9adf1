// Admin API authentication: every admin route (walked from the OpenAPI document and the registered routes) answers
// 401 without a valid token; public routes need none; the Authorization header never reaches the log.
import t from 'tap';
import { Writable } from 'node:stream';
import path from 'node:path';
import { pino } from 'pino';
import { buildApp } from '../src/server/app.js';
import { serverLoggerOptions } from '../src/server/logger.js';
import { adminRoutes } from '../src/server/routes/admin/index.js';
import { GraphCache } from '../src/services/graph-cache.js';
import { Publisher } from '../src/services/publisher.js';
import { Tokens } from '../src/services/tokens.js';
import { openStore } from '../src/store/index.js';
import { ADMIN, adminApp, silentLogger } from './helpers/admin-app.js';
import { tempTree } from './helpers/temp-tree.js';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
interface Operation {
  method: Method;
  path: string;
}

interface OpenApiDoc {
  paths: Record<string, Record<string, { security?: unknown; tags?: string[] }>>;
}

/** `/api/admin/v1/releases/{version}` → a concrete URL with harmless parameter values. */
const concrete = (p: string): string => p.replace(/\{[^}]+\}/g, (m) => (m === '{version}' ? '4.9.0' : 'stable-4.9'));

t.test('every admin route answers 401 without a token, with a wrong one, and with a revoked one', async (t) => {
  // Hundreds of wrong tokens from one address: the failure limit (test/limits-auth.test.ts) is raised out of the way.
  const a = await adminApp(t, { authFailures: { max: 1_000_000, windowMs: 60_000 } });
  const doc = JSON.parse((await a.app.inject({ url: '/openapi.json' })).body) as OpenApiDoc;
  const operations: Operation[] = [];
  for (const [p, methods] of Object.entries(doc.paths)) {
    if (!p.startsWith(ADMIN)) continue;
    for (const method of Object.keys(methods)) operations.push({ method: method.toUpperCase() as Method, path: p });
  }
  t.equal(operations.length, adminRoutes.length, 'the document has one operation per admin route module');
  t.ok(operations.length >= 19, `${operations.length} admin operations`);

  const revoked = a.tokens.create({ name: 'test' }, 'leaver');
  a.tokens.revoke({ name: 'test' }, 'leaver');
  const attempts: Array<[string, Record<string, string>, RegExp]> = [
    ['no Authorization header', {}, /^Bearer realm="kus-admin"$/],
    ['a wrong token', { authorization: 'Bearer kus_wrong' }, /error="invalid_token"/],
    ['a revoked token', { authorization: `Bearer ${revoked.token}` }, /error="invalid_token"/],
    ['the right token in Basic auth', { authorization: `Basic ${a.token}` }, /^Bearer realm="kus-admin"$/],
    ['an empty Bearer', { authorization: 'Bearer ' }, /^Bearer realm="kus-admin"$/],
  ];
  const before = a.store.loadGraphInput();
  const auditRows = a.store.audit.list(1000).length;
  for (const op of operations) {
    for (const [what, headers, challenge] of attempts) {
      const body = op.method === 'POST' || op.method === 'PUT' ? { name: 'x-1' } : undefined;
      const res = await a.app.inject({ method: op.method, url: concrete(op.path), headers, ...(body ? { payload: body } : {}) });
      t.equal(res.statusCode, 401, `${op.method} ${op.path} with ${what}: 401`);
      t.match(res.headers['www-authenticate'], challenge, `${op.method} ${op.path} with ${what}: challenge`);
      t.equal(JSON.parse(res.body).code, 'KUS_ERR_UNAUTHORIZED');
      t.notOk(res.body.includes(revoked.token) || res.body.includes('kus_wrong'), 'the answer does not echo the token');
    }
  }
  t.same(a.store.loadGraphInput(), before, 'nothing was written');
  t.equal(a.store.audit.list(1000).length, auditRows, 'unauthenticated requests are not audited');

  // The same walk with the valid token gets past authentication on every route (whatever the answer then is).
  for (const op of operations) {
    const res = await a.app.inject({ method: op.method, url: concrete(op.path), headers: { authorization: `Bearer ${a.token}` } });
    t.not(res.statusCode, 401, `${op.method} ${op.path} with the token is not 401`);
  }
});

t.test('the documented admin operations are exactly the registered admin routes, each with bearer security', async (t) => {
  const store = openStore(path.join(tempTree(t), 'kus.db'));
  t.teardown(() => store.close());
  const cache = new GraphCache({ load: () => store.loadGraphInput(), logger: silentLogger });
  const app = buildApp({ graphs: cache, logLevel: 'silent', admin: { publisher: new Publisher({ store, rebuild: () => cache.rebuild() }), tokens: new Tokens({ store }) } });
  t.teardown(() => app.close());
  const registered = new Set<string>();
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const m of methods) if (route.url.startsWith(ADMIN) && m !== 'HEAD') registered.add(`${m} ${route.url}`);
  });
  await app.ready();
  const doc = app.swagger() as unknown as OpenApiDoc;
  const documented = new Set<string>();
  for (const [p, methods] of Object.entries(doc.paths)) {
    if (!p.startsWith(ADMIN)) continue;
    for (const [method, op] of Object.entries(methods)) {
      documented.add(`${method.toUpperCase()} ${p.replace(/\{([^}]+)\}/g, ':$1')}`);
      t.same(op.security, [{ bearerAuth: [] }], `${method} ${p} declares bearerAuth`);
      t.same(op.tags, ['admin'], `${method} ${p} is tagged admin`);
    }
  }
  t.same([...documented].sort(), [...registered].sort());
});

t.test('public routes need no token', async (t) => {
  const a = await adminApp(t);
  for (const url of ['/api/upgrades_info/graph?channel=stable-4.9', '/api/upgrades_info/v1/graph?channel=stable-4.9', '/graph?channel=stable-4.9',
    '/livez', '/readyz', '/metrics', '/openapi.json', '/docs/']) {
    const res = await a.app.inject({ url });
    t.equal(res.statusCode, 200, `${url} answers 200 without a token`);
  }
});

t.test('without admin services the admin API does not exist', async (t) => {
  const store = openStore(path.join(tempTree(t), 'kus.db'));
  t.teardown(() => store.close());
  const cache = new GraphCache({ load: () => store.loadGraphInput(), logger: silentLogger });
  const app = buildApp({ graphs: cache, logLevel: 'silent' });
  t.teardown(() => app.close());
  t.equal((await app.inject({ url: `${ADMIN}/releases` })).statusCode, 404);
});

t.test('the Authorization header is never logged, even at trace level', async (t) => {
  let logged = '';
  const sink = new Writable({ write(chunk: Buffer, _enc, done) { logged += chunk.toString(); done(); } });
  const logger = pino(serverLoggerOptions('trace'), sink);
  const store = openStore(path.join(tempTree(t), 'kus.db'));
  t.teardown(() => store.close());
  const cache = new GraphCache({ load: () => store.loadGraphInput(), logger: silentLogger });
  const tokens = new Tokens({ store });
  const app = buildApp({ graphs: cache, logger, admin: { publisher: new Publisher({ store, rebuild: () => cache.rebuild() }), tokens } });
  t.teardown(() => app.close());
  const { token } = tokens.create({ name: 'test' }, 'logger-test');
  for (const authorization of [`Bearer ${token}`, 'Bearer kus_not-a-real-token-0123456789']) {
    await app.inject({ url: `${ADMIN}/channels`, headers: { authorization } });
    await app.inject({ method: 'POST', url: `${ADMIN}/channels`, headers: { authorization }, payload: { nope: 1 } });
  }
  t.match(logged, /incoming request/, 'requests were logged');
  t.notOk(logged.includes(token), 'the valid token is not in the log');
  t.notOk(logged.includes('kus_not-a-real-token'), 'nor the invalid one');

  // Whatever logs a request's headers gets them redacted by the logger options.
  logged = '';
  logger.info({ req: { headers: { authorization: `Bearer ${token}` } } }, 'headers');
  t.match(logged, /\[redacted\]/);
  t.notOk(logged.includes(token));
});
