// Read-only replicas as separate `kus serve` processes on 127.0.0.1: a primary and two replicas following it every
// second. A publish (and a signature) on the primary reaches both replicas within an interval; admin writes to a
// replica are refused with 409 naming the primary; with the primary killed the replicas keep answering.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { freePort } from './helpers/registry.js';
import { serveChild, type ServeChild } from './helpers/serve-child.js';
import { repoRoot as root } from './helpers/shared-fixtures.js';
import { until } from './helpers/until.js';

const TOKEN = `kus_${'r'.repeat(43)}`;
const INTERVAL_S = 1;
/** One interval, plus room for a fetch, a swap and a rebuild on a loaded shared machine. */
const WITHIN_MS = INTERVAL_S * 1000 + 6000;
const GRAPH = '/api/upgrades_info/graph?channel=stable-4.9&arch=arm64';
const NEW_VERSION = '4.9.99-kylinsec.1';
const DIGEST_HEX = 'd'.repeat(64);

const graphBody = async (base: string): Promise<{ status: number; text: string }> => {
  const res = await fetch(`${base}${GRAPH}`, { headers: { accept: 'application/json' } });
  return { status: res.status, text: await res.text() };
};

const metric = async (base: string, name: string): Promise<number | undefined> => {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
};

t.test('a primary and two replicas', { timeout: 300_000 }, async (t) => {
  const dir = t.testdir({ 'admin-token': `${TOKEN}\n`, passphrase: 'replica test passphrase\n' });
  const primary = await serveChild(t, ['--db', path.join(dir, 'primary.db'), '--graph-data', path.join(root, 'graph-data'), '--admin-token-file', path.join(dir, 'admin-token'),
    '--signing-passphrase-file', path.join(dir, 'passphrase')]);
  const admin = (method: string, url: string, body?: unknown, base = primary.url): Promise<Response> =>
    fetch(`${base}/api/admin/v1${url}`, {
      method, headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const replicas: ServeChild[] = [];
  for (const name of ['r1', 'r2']) {
    replicas.push(await serveChild(t, ['--follow', primary.url, '--follow-interval', String(INTERVAL_S), '--db', path.join(dir, `${name}.db`)]));
  }

  await t.test('replicas become ready with the primary\'s graph', async (t) => {
    for (const r of replicas) {
      await until('replica ready', 30_000, async () => (await fetch(`${r.url}/readyz`)).status === 200);
      t.same(await graphBody(r.url), await graphBody(primary.url), 'same graph bytes as the primary');
    }
    t.match(replicas[0]!.output(), /read-only replica of http:\/\/127\.0\.0\.1:\d+/, 'says it is a replica');
  });

  await t.test('a publish on the primary is served by both replicas within an interval', async (t) => {
    const before = (await graphBody(replicas[0]!.url)).text;
    t.notMatch(before, NEW_VERSION);
    const added = await admin('POST', '/releases', {
      version: NEW_VERSION, arch: 'arm64', payload: `registry.kylinsec.example/ocp/release@sha256:${DIGEST_HEX}`, previous: ['4.9.21-kylinsec.2'], channels: ['stable-4.9'],
    });
    t.equal(added.status, 200, 'published on the primary');
    t.match((await graphBody(primary.url)).text, NEW_VERSION, 'the primary serves it at once');
    const tookMs = await Promise.all(replicas.map((r) => until('replica has the release', WITHIN_MS, async () => (await graphBody(r.url)).text.includes(NEW_VERSION))));
    t.comment(`replicas caught up after ${tookMs.join(' ms, ')} ms (interval ${INTERVAL_S} s)`);
    for (const r of replicas) t.same(await graphBody(r.url), await graphBody(primary.url), 'replica graph = primary graph');
  });

  await t.test('signatures made on the primary are served by the replicas', async (t) => {
    t.equal((await admin('POST', '/keys/generate', { name: 'replica-test', email: 'replica@kylin.example' })).status, 200, 'key generated');
    const signed = await admin('POST', '/signatures/sign', { version: `${NEW_VERSION}+arm64` });
    t.equal(signed.status, 200, `signed: ${await signed.clone().text()}`);
    const url = `/api/upgrades_info/signatures/sha256=${DIGEST_HEX}/signature-1`;
    const original = Buffer.from(await (await fetch(`${primary.url}${url}`)).arrayBuffer());
    t.ok(original.length > 100, 'the primary serves the signature');
    for (const r of replicas) {
      await until('replica has the signature', WITHIN_MS, async () => (await fetch(`${r.url}${url}`)).status === 200);
      t.ok(Buffer.from(await (await fetch(`${r.url}${url}`)).arrayBuffer()).equals(original), 'same signature bytes');
    }
  });

  await t.test('a replica hands out the primary\'s graph-data tarball byte for byte (keys included), so the ETag is the same', async (t) => {
    const tarball = async (base: string): Promise<{ etag: string | null; bytes: Buffer }> => {
      const res = await fetch(`${base}/api/upgrades_info/graph-data`);
      return { etag: res.headers.get('etag'), bytes: Buffer.from(await res.arrayBuffer()) };
    };
    const expected = await tarball(primary.url);
    t.ok(gunzipSync(expected.bytes).includes('signatures/keys/replica-test.asc'), 'the primary\'s tarball has the public key');
    for (const r of replicas) {
      await until('replica has the key', WITHIN_MS, async () => (await tarball(r.url)).etag === expected.etag);
      const got = await tarball(r.url);
      t.equal(got.etag, expected.etag, 'same ETag');
      t.ok(got.bytes.equals(expected.bytes), 'same bytes');
    }
  });

  await t.test('admin writes to a replica: 409 KUS_ERR_READ_ONLY naming the primary; nothing changes', async (t) => {
    for (const [method, url, body] of [['POST', '/channels', { name: 'candidate-9.9' }], ['DELETE', '/releases/4.9.15?arch=arm64'], ['PUT', '/raw-metadata/4.9.15', { key: 'a', value: 'b' }]] as const) {
      const res = await admin(method, url, body, replicas[0]!.url);
      t.equal(res.status, 409, `${method} ${url}: 409`);
      const answer = (await res.json()) as { code: string; message: string };
      t.equal(answer.code, 'KUS_ERR_READ_ONLY');
      t.ok(answer.message.includes(primary.url), `names the primary: ${answer.message}`);
    }
    // The router decodes percent-escapes, so these reach the admin routes too; with the primary's valid token they
    // must not be answered "unknown token" (the replica holds no tokens).
    for (const spelling of ['/api/%61dmin/v1/channels', '/api/admin/v%31/channels', '/api/admin/v1/%63hannels']) {
      const res = await fetch(`${replicas[0]!.url}${spelling}`, {
        method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'candidate-9.9' }),
      });
      const answer = (await res.json()) as { code: string; message: string };
      t.same([res.status, answer.code], [409, 'KUS_ERR_READ_ONLY'], `${spelling}: read-only, not unauthorized`);
      t.ok(answer.message.includes(primary.url), 'names the primary');
    }
    const unauthenticated = await fetch(`${replicas[0]!.url}/api/admin/v1/channels`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    t.equal(unauthenticated.status, 409, 'even without a token: the answer is where to write');
    t.notMatch((await graphBody(primary.url)).text, 'candidate-9.9');
  });

  await t.test('replica metrics: lag, syncs', async (t) => {
    const lag = await metric(replicas[0]!.url, 'kus_replica_lag_seconds{');
    t.ok(lag !== undefined && lag < 10, `lag ${lag} s`);
    t.ok((await metric(replicas[0]!.url, 'kus_replica_syncs_total{primary="' + primary.url + '",result="updated"}'))! >= 2, 'updated snapshots counted');
    t.equal(await metric(primary.url, 'kus_replica_lag_seconds'), undefined, 'the primary has no replica metrics');
  });

  await t.test('with the primary killed, the replicas keep answering with no errors', async (t) => {
    const expected = await graphBody(replicas[0]!.url);
    primary.child.kill('SIGKILL');
    await primary.stop();
    const deadline = Date.now() + INTERVAL_S * 3000 + 1000;
    let requests = 0;
    while (Date.now() < deadline) {
      for (const r of replicas) {
        const got = await graphBody(r.url);
        requests++;
        if (got.status !== 200 || got.text !== expected.text) t.fail(`replica answered ${got.status}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    t.ok(requests > 20, `${requests} graph requests, all 200 with the last good graph`);
    for (const r of replicas) {
      t.equal((await fetch(`${r.url}/readyz`)).status, 200, 'still ready');
      t.ok((await metric(r.url, 'kus_replica_sync_failures_total{'))! >= 1, 'failed syncs counted');
      t.ok((await metric(r.url, 'kus_replica_lag_seconds{'))! >= INTERVAL_S, 'lag grows');
    }
    const failures = replicas[0]!.output().split('\n').filter((l) => l.includes('sync with the primary failed'));
    t.equal(failures.length, 1, `one line for the outage, not one per interval: ${failures.join('\n')}`);
    t.notMatch(replicas[0]!.output(), /\n\s+at /, 'no stack trace');
  });

  await t.test('a replica restarted while the primary is down serves its stored snapshot', async (t) => {
    const expected = await graphBody(replicas[1]!.url);
    await replicas[1]!.stop();
    const again = await serveChild(t, ['--follow', primary.url, '--follow-interval', String(INTERVAL_S), '--db', path.join(dir, 'r2.db')]);
    t.equal((await fetch(`${again.url}/readyz`)).status, 200, 'ready from its store');
    t.same(await graphBody(again.url), expected, 'the same graph');
  });
});

t.test('a new replica whose primary is unreachable answers 503 until its first sync; the outage is logged once', { timeout: 120_000 }, async (t) => {
  const dir = t.testdir({ 'admin-token': `${TOKEN}\n` });
  const port = await freePort();
  const primaryUrl = `http://127.0.0.1:${port}`;
  const replica = await serveChild(t, ['--follow', primaryUrl, '--follow-interval', String(INTERVAL_S), '--db', path.join(dir, 'r.db')], { KUS_LOG_LEVEL: 'info' });
  t.equal((await fetch(`${replica.url}/readyz`)).status, 503, '/readyz 503 until the first sync');
  const data = await fetch(`${replica.url}/api/upgrades_info/graph-data`);
  t.equal(data.status, 503);
  t.equal(((await data.json()) as { code: string }).code, 'KUS_ERR_NOT_READY');
  const graph = await graphBody(replica.url);
  t.equal(graph.status, 503, 'graph requests: 503, not an empty graph (a cluster would report VersionNotFound)');
  t.notMatch(graph.text, '4.9.15', 'the example data is not seeded on a replica');
  const head = await fetch(`${replica.url}${GRAPH}`, { method: 'HEAD' });
  t.equal(head.status, 503, 'HEAD too');

  await until('several failed syncs', 30_000, async () => ((await metric(replica.url, 'kus_replica_sync_failures_total{')) ?? 0) >= 3);
  const failures = replica.output().split('\n').filter((l) => l.includes('sync with the primary failed'));
  t.equal(failures.length, 1, `one line for the outage, not one per interval: ${failures.join('\n')}`);
  t.match(failures[0], primaryUrl, 'it names the primary');
  t.notMatch(replica.output(), /\n\s+at /, 'no stack trace');

  const primary = await serveChild(t, ['--db', path.join(dir, 'primary.db'), '--port', String(port), '--admin-token-file', path.join(dir, 'admin-token')]);
  t.equal(primary.url, primaryUrl, 'the primary came up where the replica looks');
  await until('replica ready', 30_000, async () => (await fetch(`${replica.url}/readyz`)).status === 200);
  t.same(await graphBody(replica.url), await graphBody(primary.url), 'after the first sync: the primary\'s graph');
  const recovered = replica.output().split('\n').filter((l) => l.includes('sync with the primary works again'));
  t.equal(recovered.length, 1, 'one line when the outage ends');
  t.match(recovered[0], /"failedSyncs":\d+/, 'with the number of failed syncs');
});

t.test('kus serve --follow: bad settings stop the start', { timeout: 60_000 }, async (t) => {
  const { spawnSync } = await import('node:child_process');
  const { repoRoot } = await import('./helpers/shared.js');
  const dir = t.testdir({});
  writeFileSync(path.join(dir, 'x'), '');
  const cli = path.join(repoRoot, 'dist/cli/main.js');
  const run = (args: string[]) => spawnSync(process.execPath, [cli, 'serve', '--host', '127.0.0.1', '--port', '0', '--db', path.join(dir, 'k.db'), ...args], { encoding: 'utf8', timeout: 30_000 });
  const cases: Array<[string[], RegExp]> = [
    [['--follow', 'ftp://x'], /^KUS_ERR_CONFIG: --follow "ftp:\/\/x" is not an http or https URL/m],
    [['--follow', 'http://x:8080/?a=1'], /^KUS_ERR_CONFIG: --follow .* must be a base URL/m],
    [['--follow', 'http://x:8080', '--follow-interval', '0'], /^KUS_ERR_CONFIG: --follow-interval "0" is not a number of seconds/m],
    [['--follow-interval', '5'], /^KUS_ERR_CONFIG: --follow-interval "5" is given without --follow URL/m],
    [['--follow', 'http://x:8080', '--watch', 'r.example/x'], /^KUS_ERR_CONFIG: --watch and --follow both given/m],
  ];
  for (const [args, message] of cases) {
    const r = run(args);
    t.equal(r.status, 1, args.join(' '));
    t.match(r.stderr, message);
  }
});
