// Replicas report the clusters polling them to the primary, as separate `kus serve` processes on 127.0.0.1: a primary
// and two replicas (each with a fleet-report token: one from the environment, one from the flag over a wrong one in
// the environment). Thousands of synthetic clusters poll the replicas' graph endpoint; the primary is killed (SIGKILL)
// and restarted on its port while the replicas keep receiving polls, including version changes; afterwards every
// cluster's last poll is on the primary, with its update. A third replica with a 100-cluster buffer shows what
// overflows: counted in /metrics, logged, and the first 100 clusters still delivered.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { clusterUuid } from './helpers/fleet-polls.js';
import { freePort } from './helpers/registry.js';
import { serveChild, type ServeChild } from './helpers/serve-child.js';
import { repoRoot } from './helpers/shared-fixtures.js';
import { runKus } from './helpers/run-cli.js';
import { tempTree } from './helpers/temp-tree.js';

const ADMIN_TOKEN = `kus_${'p'.repeat(43)}`;
const uuid = clusterUuid;
const OLD = '4.9.15';
const NEW = '4.9.21-kylinsec.1';
const CLUSTERS = 3000;
/** Polled only while the primary is down. */
const LATE = 1000;

async function poll(base: string, id: string, version: string, userAgent: string): Promise<number> {
  const q = new URLSearchParams({ channel: 'stable-4.9', arch: 'arm64', version, id });
  const res = await fetch(`${base}/api/upgrades_info/graph?${q.toString()}`, { headers: { accept: 'application/json', 'user-agent': userAgent } });
  await res.arrayBuffer();
  return res.status;
}

/** Cluster i polls replica i % 2; 32 at a time. Resolves with every status seen. */
async function pollRound(replicas: ServeChild[], ids: number[], version: (i: number) => string, userAgent: string): Promise<Set<number>> {
  const statuses = new Set<number>();
  for (let k = 0; k < ids.length; k += 32) {
    const slice = ids.slice(k, k + 32);
    for (const s of await Promise.all(slice.map((i) => poll(replicas[i % 2]!.url, uuid(i), version(i), userAgent)))) statuses.add(s);
  }
  return statuses;
}

async function until<T>(what: string, ms: number, fn: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined && ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms (last: ${JSON.stringify(v)?.slice(0, 300)})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function metric(base: string, name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (line === undefined) throw new Error(`no ${name} in ${base}/metrics`);
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

interface Cluster { id: string; version: string; userAgent: string; firstSeen: string; lastSeen: string }

t.test('replicas report every poll to the primary across a primary kill and restart', { timeout: 400_000 }, async (t) => {
  const dir = tempTree(t);
  writeFileSync(path.join(dir, 'admin-token'), `${ADMIN_TOKEN}\n`);
  const port = await freePort();
  const primaryArgs = ['--port', String(port), '--db', path.join(dir, 'primary.db'), '--graph-data', path.join(repoRoot, 'graph-data'),
    '--admin-token-file', path.join(dir, 'admin-token'), '--fleet-flush', '1s'];
  let primary = await serveChild(t, primaryArgs);
  const admin = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${primary.url}/api/admin/v1${route}`, {
      method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (res.status !== 200) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { value: T }).value;
  };
  const clusters = () => admin<Cluster[]>('GET', '/fleet/clusters');
  const { token } = await admin<{ token: string }>('POST', '/tokens', { name: 'replicas', scope: 'fleet-report' });
  const follow = ['--follow', primary.url, '--follow-interval', '1', '--fleet-flush', '1s'];
  const replicas = [
    await serveChild(t, [...follow, '--db', path.join(dir, 'r1.db')], { KUS_FLEET_REPORT_TOKEN: token }),
    await serveChild(t, [...follow, '--db', path.join(dir, 'r2.db'), '--fleet-report-token', token], { KUS_FLEET_REPORT_TOKEN: `kus_${'w'.repeat(43)}` }),
  ];
  const small = await serveChild(t, [...follow, '--db', path.join(dir, 'r3.db'), '--fleet-report-buffer', '100'], { KUS_FLEET_REPORT_TOKEN: token });
  for (const r of [...replicas, small]) await until('replica ready', 30_000, async () => (await fetch(`${r.url}/readyz`)).status, (s) => s === 200);

  const all = Array.from({ length: CLUSTERS }, (_, i) => i);
  await t.test('polls of the replicas reach the primary', async (t) => {
    t.same([...(await pollRound(replicas, all, () => OLD, 'CVO/phase-1'))], [200], `${CLUSTERS} polls answered 200`);
    const took = Date.now();
    const seen = await until('all clusters on the primary', 30_000, clusters, (c) => c.length === CLUSTERS);
    t.comment(`on the primary ${Date.now() - took} ms after the last poll (flush 1 s)`);
    t.ok(seen.every((c) => c.version === OLD && c.userAgent === 'CVO/phase-1'));
    for (const r of replicas) t.ok((await metric(r.url, 'kus_fleet_report_sent_total')) >= CLUSTERS / 2, 'the replica counts what it sent');
  });

  let downAt = 0;
  await t.test('with the primary killed, the replicas keep answering and buffer', async (t) => {
    primary.child.kill('SIGKILL');
    await primary.stop();
    downAt = Date.now();
    // Cluster i % 3 == 0 updates; 1,000 clusters are new; the replicas flush (and fail to send) between the rounds.
    const late = Array.from({ length: LATE }, (_, i) => CLUSTERS + i);
    t.same([...(await pollRound(replicas, [...all, ...late], (i) => (i % 3 === 0 ? NEW : OLD), 'CVO/phase-2'))], [200], 'polls answered 200');
    await new Promise((r) => setTimeout(r, 2500));
    t.same([...(await pollRound(replicas, [...all, ...late], (i) => (i % 3 === 0 ? NEW : OLD), 'CVO/phase-3'))], [200], 'polls answered 200 again');
    // 300 distinct clusters on the replica that buffers 100.
    for (let i = 0; i < 300; i += 25) {
      const ids = Array.from({ length: 25 }, (_, k) => 50_000 + i + k);
      await Promise.all(ids.map((id) => poll(small.url, uuid(id), OLD, 'CVO/small')));
      // The first 100 clusters fill the buffer before any other polls: they are the ones it keeps.
      if (i === 75) await until('the small replica buffered 100', 10_000, () => metric(small.url, 'kus_fleet_report_buffered'), (n) => n === 100);
    }
    const buffered = await until('both replicas buffered what was polled', 15_000,
      () => Promise.all(replicas.map((r) => metric(r.url, 'kus_fleet_report_buffered'))), (n) => n[0]! + n[1]! === CLUSTERS + LATE);
    t.same(buffered.map((n) => n > 0), [true, true], `buffered ${buffered.join(' + ')} clusters, one entry per cluster over two rounds`);
    for (const r of replicas) t.ok((await metric(r.url, 'kus_fleet_report_requests_total{result="failed"}')) > 0, 'failed sends are counted');
    await until('the small replica drops what overflows', 15_000, () => metric(small.url, 'kus_fleet_report_dropped_total{reason="buffer_full"}'), (n) => n === 200);
    t.equal(await metric(small.url, 'kus_fleet_report_buffered'), 100, 'the small buffer holds its bound');
    t.match(small.output(), /the fleet report buffer is full/, 'the overflow is logged');
  });

  await t.test('the restarted primary gets every poll the replicas buffered', async (t) => {
    primary = await serveChild(t, primaryArgs);
    const restartedAt = Date.now();
    t.comment(`primary down for ${restartedAt - downAt} ms`);
    const expected = CLUSTERS + LATE + 100;
    const seen = await until('every cluster\'s last poll on the primary', 120_000, clusters,
      (c) => c.length === expected && c.filter((x) => x.userAgent === 'CVO/phase-3').length === CLUSTERS + LATE);
    t.comment(`delivered ${Date.now() - restartedAt} ms after the restart (retries back off from 1 s)`);
    const byId = new Map(seen.map((c) => [c.id, c]));
    let right = 0;
    for (let i = 0; i < CLUSTERS + LATE; i++) {
      const c = byId.get(uuid(i));
      if (c && c.version === (i % 3 === 0 ? NEW : OLD) && Date.parse(c.lastSeen) >= downAt && (i >= CLUSTERS || Date.parse(c.firstSeen) < downAt)) right++;
    }
    t.equal(right, CLUSTERS + LATE, 'every cluster: its last version, last seen while the primary was down, first seen before');
    const updates = await admin<Array<{ from: string; to: string; clusters: number }>>('GET', '/fleet/updates');
    t.same(updates.filter((u) => u.from === OLD && u.to === NEW).map((u) => u.clusters), [CLUSTERS / 3], 'the updates made meanwhile, once each');
    const kept = seen.filter((c) => c.userAgent === 'CVO/small').map((c) => c.id).sort();
    t.same(kept, Array.from({ length: 100 }, (_, k) => uuid(50_000 + k)), 'the small replica delivered the 100 clusters it kept');
    for (const r of replicas) {
      t.equal(await metric(r.url, 'kus_fleet_report_buffered'), 0, 'nothing left in the buffer');
      t.equal(await metric(r.url, 'kus_fleet_report_dropped_total{reason="buffer_full"}'), 0, 'nothing dropped');
    }
    t.match(replicas[1]!.output(), /could not send fleet reports to the primary/, 'the outage is logged');
  });
});

t.test('reporting settings are checked at start', async (t) => {
  const dir = tempTree(t);
  const serve = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    runKus(['serve', '--host', '127.0.0.1', '--port', '0', '--db', path.join(dir, 'kus.db'), ...args], { KUS_FLEET_REPORT_TOKEN: '', ...env });
  const cases: Array<[string, string[], NodeJS.ProcessEnv, RegExp]> = [
    ['a token without --follow', ['--fleet-report-token', ADMIN_TOKEN], {}, /^KUS_ERR_CONFIG: --fleet-report-token is given without --follow URL/],
    ['a token with --no-fleet', ['--follow', 'http://127.0.0.1:9', '--no-fleet'], { KUS_FLEET_REPORT_TOKEN: ADMIN_TOKEN }, /^KUS_ERR_CONFIG: KUS_FLEET_REPORT_TOKEN is given with --no-fleet/],
    ['a buffer that is not a number', ['--follow', 'http://127.0.0.1:9', '--fleet-report-token', ADMIN_TOKEN, '--fleet-report-buffer', '10k'], {}, /^KUS_ERR_CONFIG: --fleet-report-buffer "10k" is not a number of clusters/],
    ['a buffer without a token', ['--follow', 'http://127.0.0.1:9'], { KUS_FLEET_REPORT_BUFFER: '5' }, /^KUS_ERR_CONFIG: KUS_FLEET_REPORT_BUFFER is given without --fleet-report-token/],
  ];
  for (const [what, args, env, message] of cases) {
    const r = serve(args, env);
    t.equal(r.status, 1, `${what}: exit 1`);
    t.match(r.stderr, message, what);
    t.notMatch(r.stderr, ADMIN_TOKEN, 'the token is never printed');
  }
});
