// Limits of the admin API: per-route body limits (413 KUS_ERR_TOO_LARGE) with a bounded audit row, bodies that are
// not coerced to the schema's types, and repeated invalid tokens answered 429 and counted in /metrics.
import t from 'tap';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { buildApp } from '../src/server/app.js';
import { serverLoggerOptions } from '../src/server/logger.js';
import { GraphCache } from '../src/services/graph-cache.js';
import { Publisher } from '../src/services/publisher.js';
import { Tokens } from '../src/services/tokens.js';
import { openStore } from '../src/store/index.js';
import { REFUSED_REQUEST_MAX_BYTES } from '../src/services/publish/audited-write.js';
import { ADMIN, adminApp, silentLogger } from './helpers/admin-app.js';
import { tempTree } from './helpers/temp-tree.js';

/** The raw audit row as SQLite holds it: the bytes a refusal costs. */
function auditRowBytes(file: string, id: number): number {
  const raw = new Database(file, { readonly: true });
  try {
    const row = raw.prepare(`SELECT length(CAST(coalesce(after, '') AS BLOB)) + length(CAST(coalesce(error_message, '') AS BLOB))
      + length(CAST(coalesce(target, '') AS BLOB)) AS n FROM audit WHERE id = ?`).get(id) as { n: number };
    return row.n;
  } finally {
    raw.close();
  }
}

const storeFile = (a: Awaited<ReturnType<typeof adminApp>>): string => a.store.file;

t.test('a body over the route limit is refused with 413 naming the limit, and audited without the body', async (t) => {
  const a = await adminApp(t, { mirrorBodyBytes: 1024 * 1024 });
  const graph = { version: 1, nodes: Array.from({ length: 20_000 }, (_, i) => ({ version: `4.9.${i}`, payload: `quay.io/x/y@sha256:${'a'.repeat(64)}`, metadata: {} })), edges: [], conditionalEdges: [] };
  const before = a.store.audit.list(1000).length;
  const res = await a.call('POST', '/mirror', { graph, channel: 'stable-4.9', arch: 'amd64' });
  t.equal(res.statusCode, 413);
  const err = JSON.parse(res.body) as { code: string; message: string };
  t.equal(err.code, 'KUS_ERR_TOO_LARGE');
  t.match(err.message, /larger than the 1 MiB that POST \/api\/admin\/v1\/mirror accepts; kus serve --mirror-body-limit raises it/);
  const rows = a.store.audit.list(1000);
  t.equal(rows.length, before + 1, 'the refusal is audited');
  t.same({ action: rows[0]!.action, outcome: rows[0]!.outcome, code: rows[0]!.error?.code, after: rows[0]!.after },
    { action: 'graph.mirror', outcome: 'refused', code: 'KUS_ERR_TOO_LARGE', after: null });
  t.ok(auditRowBytes(storeFile(a), rows[0]!.id) < 1024, 'the row is small');

  // Small admin routes take 64 KiB.
  const big = await a.call('POST', '/channels', { name: 'x'.repeat(70_000) });
  t.equal(big.statusCode, 413);
  t.match(JSON.parse(big.body).message, /larger than the 64 KiB that POST \/api\/admin\/v1\/channels accepts$/);
});

t.test('a large body refused by the schema leaves a bounded summary (size, SHA-256, first bytes), not the body', async (t) => {
  const a = await adminApp(t);
  // About 900 KB, under the 8 MiB mirror limit, refused for its unknown property.
  const body = { graph: { version: 1, nodes: Array.from({ length: 8_000 }, (_, i) => ({ version: `4.9.${i}`, payload: `quay.io/x/y@sha256:${'b'.repeat(64)}`, metadata: {} })) }, channel: 'stable-4.9', arch: 'amd64', colour: 'red' };
  const res = await a.call('POST', '/mirror', body);
  t.equal(res.statusCode, 400);
  t.match(JSON.parse(res.body).message, /body has an unknown property "colour"/);
  const row = a.store.audit.list(1)[0]!;
  t.equal(row.outcome, 'refused');
  const json = JSON.stringify(body);
  const summary = row.after as { truncated: boolean; bytes: number; sha256: string; head: string };
  t.same(summary, {
    truncated: true,
    bytes: Buffer.byteLength(json),
    sha256: `sha256:${createHash('sha256').update(json).digest('hex')}`,
    head: json.slice(0, REFUSED_REQUEST_MAX_BYTES),
  }, 'size and hash of the body as JSON, and its first 4 KiB');
  const bytes = auditRowBytes(storeFile(a), row.id);
  t.ok(bytes < REFUSED_REQUEST_MAX_BYTES + 1024, `the row holds ${bytes} bytes of a ${json.length}-byte body`);

  // A small refused body is still recorded whole.
  const small = await a.call('POST', '/channels', { name: 'Not A Channel' });
  t.equal(small.statusCode, 400);
  t.same(a.store.audit.list(1)[0]!.after, { name: 'Not A Channel' });
});

t.test('bodies are not coerced to the schema types; query strings still are', async (t) => {
  const a = await adminApp(t);
  const channels = a.store.loadGraphInput().graphData.channels.length;
  const cases: Array<[string, unknown, RegExp]> = [
    ['/channels', { name: ['stable-4.99'] }, /^body\/name must be string$/],
    ['/channels', { name: 499 }, /^body\/name must be string$/],
    ['/releases/ingest', { pullSpec: 1 }, /^body\/pullSpec must be string$/],
    ['/releases', { version: '4.99.0', arch: 'amd64', payload: `quay.io/x/y@sha256:${'c'.repeat(64)}`, channels: 'stable-4.9' }, /^body\/channels must be array$/],
    ['/tokens', { name: true }, /^body\/name must be string$/],
  ];
  for (const [url, body, message] of cases) {
    const res = await a.call('POST', url, body);
    t.equal(res.statusCode, 400, `${url} ${JSON.stringify(body)}: 400`);
    const err = JSON.parse(res.body) as { code: string; message: string };
    t.equal(err.code, 'KUS_ERR_BAD_REQUEST');
    t.match(err.message, message, `${url}: the message names the field`);
  }
  t.equal(a.store.loadGraphInput().graphData.channels.length, channels, 'no channel was created');
  t.notOk(a.store.loadGraphInput().releases.some((r) => r.version === '4.99.0'), 'no release was added');

  for (let i = 0; i < 3; i++) await a.call('POST', '/channels', { name: `fast-4.${90 + i}` });
  const listed = await a.call('GET', '/audit?limit=2');
  t.equal(listed.statusCode, 200, '?limit=2 is read as the number 2');
  t.equal((JSON.parse(listed.body) as { value: unknown[] }).value.length, 2);
});

t.test('repeated invalid tokens from one address: 401 up to the limit, then 429 for any token; counted', async (t) => {
  const a = await adminApp(t, { authFailures: { max: 3, windowMs: 60_000 } });
  const attempt = (token: string, remoteAddress = '192.0.2.7') =>
    a.app.inject({ url: `${ADMIN}/channels`, headers: { authorization: `Bearer ${token}` }, remoteAddress });
  for (let i = 0; i < 3; i++) {
    const res = await attempt(`kus_wrong${i}`);
    t.equal(res.statusCode, 401, `wrong token ${i + 1}: 401`);
  }
  const limited = await attempt('kus_wrong3');
  t.equal(limited.statusCode, 429, 'the fourth attempt: 429');
  const err = JSON.parse(limited.body) as { code: string; message: string };
  t.equal(err.code, 'KUS_ERR_RATE_LIMITED');
  t.match(err.message, /too many invalid bearer tokens from 192\.0\.2\.7; admin requests from this address are refused for \d+ s more/);
  t.ok(Number(limited.headers['retry-after']) > 0 && Number(limited.headers['retry-after']) <= 60, `Retry-After: ${limited.headers['retry-after']}`);
  t.equal((await attempt(a.token)).statusCode, 429, 'even the right token is refused from that address, so guessing learns nothing');
  t.equal((await attempt(a.token, '192.0.2.8')).statusCode, 200, 'another address is not affected');
  t.equal((await attempt(a.token, '127.0.0.1')).statusCode, 200, 'nor is a third');

  const metrics = (await a.app.inject({ url: '/metrics' })).body;
  t.match(metrics, /^kus_admin_auth_failures_total\{reason="invalid_token"\} 3$/m, 'three invalid tokens counted');
  t.match(metrics, /^kus_admin_auth_failures_total\{reason="rate_limited"\} 2$/m, 'two requests refused with 429');
});

t.test('invalid tokens are logged with the address, never the token, and at most 20 lines a minute', async (t) => {
  const lines: Array<{ msg: string; address?: string; failures?: number }> = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, done) { for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l)); done(); } });
  const store = openStore(path.join(tempTree(t), 'kus.db'));
  t.teardown(() => store.close());
  const cache = new GraphCache({ load: () => store.loadGraphInput(), logger: silentLogger });
  const app = buildApp({ graphs: cache, logger: pino(serverLoggerOptions('info'), sink), admin: { publisher: new Publisher({ store, rebuild: () => cache.rebuild() }), tokens: new Tokens({ store }) }, limits: { authFailures: { max: 2, windowMs: 60_000 } } });
  t.teardown(() => app.close());
  const attempt = (remoteAddress: string) => app.inject({ url: `${ADMIN}/channels`, headers: { authorization: 'Bearer kus_guess-0123' }, remoteAddress });
  for (let i = 0; i < 3; i++) await attempt('198.51.100.1');
  const refused = lines.filter((l) => /admin token refused/.test(l.msg));
  t.same(refused.map((l) => [l.address, l.failures]), [['198.51.100.1', 1], ['198.51.100.1', 2]], 'one line at the first failure, one when the address is blocked');
  t.match(refused[1]!.msg, /refused \(429\) until the window ends/);
  for (let i = 0; i < 40; i++) await attempt(`203.0.113.${i}`);
  t.equal(lines.filter((l) => /admin token refused/.test(l.msg)).length, 20, '40 more addresses failing: 20 lines in this minute in all');
  t.notOk(lines.some((l) => JSON.stringify(l).includes('kus_guess')), 'the token is never logged');
});
