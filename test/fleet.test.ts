// The fleet inventory through a real `kus serve`: thousands of synthetic clusters poll the graph endpoint over HTTP,
// and the admin API, the CLI, /metrics and the problems list are checked against the hand-counted case below.
import t from 'tap';
import path from 'node:path';
import { FleetAggregator, FLEET_LIMITS } from '../src/services/fleet/index.js';
import { runKus } from './helpers/run-cli.js';
import { serveChild } from './helpers/serve-child.js';
import { repoRoot } from './helpers/shared-fixtures.js';
import { tempTree } from './helpers/temp-tree.js';

const uuid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

async function poll(url: string, query: Record<string, string>, userAgent = 'ClusterVersionOperator/4.9 go-http'): Promise<number> {
  const res = await fetch(`${url}/api/upgrades_info/graph?${new URLSearchParams(query).toString()}`, { headers: { accept: 'application/json', 'user-agent': userAgent } });
  await res.arrayBuffer();
  return res.status;
}

/** Runs the polls 32 at a time; every one must be answered 200 (the example graph serves each channel asked here). */
async function pollAll(url: string, queries: Array<Record<string, string>>): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < queries.length; i += 32) statuses.push(...(await Promise.all(queries.slice(i, i + 32).map((q) => poll(url, q)))));
  return statuses;
}

async function server(t: Parameters<typeof serveChild>[0], extra: string[]) {
  const db = path.join(tempTree(t), 'kus.db');
  const created = runKus(['token', 'create', '--db', db, '--name', 'ci', '--json'], { KUS_TOKEN: '' });
  if (created.status !== 0) throw new Error(created.stderr);
  const { token } = JSON.parse(created.stdout) as { token: string };
  const s = await serveChild(t, ['--db', db, '--graph-data', path.join(repoRoot, 'graph-data'), ...extra]);
  const api = async <T>(route: string): Promise<{ status: number; value: T }> => {
    const res = await fetch(`${s.url}/api/admin/v1/fleet/${route}`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as { value: T };
    return { status: res.status, value: body.value };
  };
  const kus = (...args: string[]) => runKus([...args, '--server', s.url, '--token', token], { KUS_TOKEN: '' });
  return { db, token, url: s.url, api, kus, stop: s.stop };
}

async function until<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what} not within ${ms} ms: ${JSON.stringify(v).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface VersionRow { channel: string; arch: string; version: string | null; clusters: number }
interface ClusterRow { id: string; version: string | null; channel: string; arch: string; userAgent: string | null; firstSeen: string; lastSeen: string }
interface ProblemRow extends ClusterRow { reason: string; hint: string }

t.test('thousands of clusters poll; versions, clusters, updates, problems and metrics match the hand count', async (t) => {
  const s = await server(t, ['--fleet-flush', '1s']);
  // 3,000 healthy clusters: i % 3 picks (channel, arch, version), each a node of that channel in graph-data/.
  const healthy = [
    { channel: 'stable-4.9', arch: 'arm64', version: '4.9.15' },
    { channel: 'stable-4.9', arch: 'amd64', version: '4.9.15-kylinsec.1' },
    { channel: 'fast-4.9', arch: 'arm64', version: '4.9.21-kylinsec.1' },
  ];
  const queries: Array<Record<string, string>> = [];
  for (let i = 0; i < 3000; i++) queries.push({ ...healthy[i % 3]!, id: uuid(i) });
  // 2,000 clusters on channels nobody made, each with its own version: bounded metrics must fold them into "other".
  for (let i = 0; i < 2000; i++) queries.push({ channel: `junk-${i}`, arch: 'arm64', version: `9.9.${i}`, id: uuid(10_000 + i) });
  // Hand-checked problems (graph-data/channels and releases/):
  queries.push({ channel: 'stable-4.9', arch: 'arm64', version: '4.9.0-rc.6', id: uuid(20_001) }); // only candidate-4.9 lists it
  queries.push({ channel: 'stable-4.9', arch: 'amd64', version: '4.9.21-kylinsec.1', id: uuid(20_002) }); // no amd64 build of it
  queries.push({ channel: 'stable-4.9', arch: 's390x', version: '4.9.15', id: uuid(20_003) }); // no s390x release at all
  // Counted, not stored: no id, an id that is not a UUID.
  queries.push({ channel: 'stable-4.9', arch: 'arm64', version: '4.9.15' }, { channel: 'stable-4.9', version: '4.9.15', id: 'not-a-uuid' });
  const statuses = await pollAll(s.url, queries);
  t.same([...new Set(statuses)], [200], 'every poll answered 200 (the recording does not change the answer)');

  const first = await until('the first polls in the fleet API', () => s.api<VersionRow[]>('versions'), (r) => r.value?.reduce((n, e) => n + e.clusters, 0) === 5003);
  t.equal(first.status, 200);

  // 200 of the stable/arm64 clusters (i = 0, 3, ..., 597) update 4.9.15 -> 4.9.15-kylinsec.2; uuid(3) then moves on to
  // -kylinsec.1 (in the same flush or the next one): both of its changes are observed.
  const updated = Array.from({ length: 200 }, (_, k) => uuid(3 * k));
  t.same([...new Set(await pollAll(s.url, updated.map((id) => ({ channel: 'stable-4.9', arch: 'arm64', version: '4.9.15-kylinsec.2', id }))))], [200]);
  await poll(s.url, { channel: 'stable-4.9', arch: 'arm64', version: '4.9.15-kylinsec.1', id: uuid(3) });

  const updates = await until('the updates', () => s.api<Array<{ from: string; to: string; clusters: number; offered: number; tookMax: number | null }>>('updates'), (r) => r.value?.length === 2);
  // stable-4.9/arm64 serves 4.9.15 -> 4.9.15-kylinsec.2 (its previous: list) since the server's first flush, before the
  // clusters moved; nothing serves -kylinsec.2 -> -kylinsec.1, so that update was never offered.
  t.same(updates.value.map(({ from, to, clusters, offered }) => ({ from, to, clusters, offered })), [
    { from: '4.9.15', to: '4.9.15-kylinsec.2', clusters: 200, offered: 200 },
    { from: '4.9.15-kylinsec.2', to: '4.9.15-kylinsec.1', clusters: 1, offered: 0 },
  ]);
  t.ok(updates.value[0]!.tookMax !== null && updates.value[0]!.tookMax < 60, `took seconds from the offer (max ${updates.value[0]!.tookMax} s)`);
  t.equal(updates.value[1]!.tookMax, null);
  const table = s.kus('fleet', 'updates', '--since', '7d');
  t.match(table.stdout, /OFFERED\s+TOOK \(MEDIAN\/P90\/MAX\)/);
  t.match(table.stdout, /4\.9\.15-kylinsec\.2\s+4\.9\.15-kylinsec\.1\s+1\s+0\s+-/);

  const versions = (await s.api<VersionRow[]>('versions')).value;
  const of = (channel: string, arch: string, version: string) => versions.find((v) => v.channel === channel && v.arch === arch && v.version === version)?.clusters;
  t.equal(of('stable-4.9', 'arm64', '4.9.15'), 800, '1,000 - 200 updated');
  t.equal(of('stable-4.9', 'arm64', '4.9.15-kylinsec.2'), 199);
  t.equal(of('stable-4.9', 'arm64', '4.9.15-kylinsec.1'), 1);
  t.equal(of('stable-4.9', 'amd64', '4.9.15-kylinsec.1'), 1000);
  t.equal(of('fast-4.9', 'arm64', '4.9.21-kylinsec.1'), 1000);
  t.equal(versions.filter((v) => v.channel.startsWith('junk-')).length, 2000);
  t.equal(versions.reduce((n, e) => n + e.clusters, 0), 5003, 'no anonymous poll stored');

  const cli = s.kus('fleet', 'versions', '--json');
  t.equal(cli.status, 0, cli.stderr);
  t.same(JSON.parse(cli.stdout), versions, 'kus fleet versions --json is the API answer');
  t.equal(s.kus('fleet', 'versions', '--since', '1h', '--json').stdout, cli.stdout, 'all seen within the hour');

  const clusters = s.kus('fleet', 'clusters', '--version', '4.9.15-kylinsec.2', '--channel', 'stable-4.9', '--json');
  t.equal(clusters.status, 0, clusters.stderr);
  const rows = JSON.parse(clusters.stdout) as ClusterRow[];
  t.same(rows.map((r) => r.id), updated.filter((id) => id !== uuid(3)).sort(), 'the 199 still on -kylinsec.2');
  t.match(rows[0], { version: '4.9.15-kylinsec.2', channel: 'stable-4.9', arch: 'arm64', userAgent: 'ClusterVersionOperator/4.9 go-http' });
  for (const r of rows) {
    t.ok(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(r.firstSeen) && Date.parse(r.firstSeen) <= Date.parse(r.lastSeen), `${r.id}: RFC 3339, first <= last`);
  }

  const problems = s.kus('fleet', 'problems', '--json');
  t.equal(problems.status, 0, problems.stderr);
  const list = JSON.parse(problems.stdout) as ProblemRow[];
  t.equal(list.filter((p) => p.reason === 'ChannelNotFound').length, 2000);
  const named = list.filter((p) => p.reason !== 'ChannelNotFound').map(({ id, reason, hint }) => ({ id, reason, hint }));
  t.same(named, [
    { id: uuid(20_001), reason: 'VersionNotFound', hint: 'add 4.9.0-rc.6 to "stable-4.9" (kus channel add stable-4.9 4.9.0-rc.6), or switch the cluster to "candidate-4.9", which list it' },
    { id: uuid(20_002), reason: 'VersionNotFound', hint: 'add 4.9.21-kylinsec.1 to "stable-4.9" (kus channel add stable-4.9 4.9.21-kylinsec.1); no channel lists it for amd64' },
    { id: uuid(20_003), reason: 'ArchNotServed', hint: 'channel "stable-4.9" serves amd64, arm64, not s390x: add s390x releases to it' },
  ]);
  const human = s.kus('fleet', 'problems');
  t.match(human.stdout, /VersionNotFound\s+4\.9\.0-rc\.6\s+stable-4\.9\s+arm64/);

  const metrics = await (await fetch(`${s.url}/metrics`)).text();
  t.match(metrics, 'kus_fleet_clusters{channel="other",arch="arm64",version="other"} 2000', 'unknown channels and versions folded');
  t.match(metrics, 'kus_fleet_clusters{channel="stable-4.9",arch="arm64",version="4.9.15"} 800');
  t.match(metrics, 'kus_fleet_clusters{channel="stable-4.9",arch="other",version="4.9.15"} 1', 'the s390x cluster');
  t.match(metrics, 'kus_fleet_problem_clusters{reason="VersionNotFound"} 2');
  t.match(metrics, 'kus_fleet_problem_clusters{reason="ChannelNotFound"} 2000');
  t.match(metrics, 'kus_fleet_problem_clusters{reason="ArchNotServed"} 1');
  t.match(metrics, 'kus_fleet_problem_clusters{reason="Unseen"} 0', 'nobody polled daily yet');
  t.match(metrics, 'kus_fleet_polls_total{outcome="anonymous"} 2');
  const series = metrics.split('\n').filter((l) => l.startsWith('kus_fleet_clusters{'));
  t.ok(series.length <= 12, `kus_fleet_clusters has ${series.length} series, not one per junk channel`);

  // The local store answers the same (after the server is stopped, which writes what is pending).
  t.equal(await s.stop(), 0);
  const local = runKus(['fleet', 'updates', '--db', s.db, '--json'], { KUS_TOKEN: '', KUS_SERVER: '' });
  t.equal(local.status, 0, local.stderr);
  t.same(JSON.parse(local.stdout), updates.value, 'kus fleet updates --db reads the same rows');
  const localProblems = runKus(['fleet', 'problems', '--db', s.db, '--json'], { KUS_TOKEN: '', KUS_SERVER: '' });
  t.same(JSON.parse(localProblems.stdout), list, 'and the same problems, from a graph built from the store');
});

t.test('--fleet-retention drops clusters unseen for longer; --no-fleet records nothing', async (t) => {
  const s = await server(t, ['--fleet-flush', '1s', '--fleet-retention', '3s']);
  t.equal(await poll(s.url, { channel: 'stable-4.9', arch: 'arm64', version: '4.9.15', id: uuid(1) }), 200);
  await until('the cluster recorded', () => s.api<ClusterRow[]>('clusters'), (r) => r.value?.length === 1);
  const gone = await until('the cluster dropped', () => s.api<ClusterRow[]>('clusters'), (r) => r.value?.length === 0, 15_000);
  t.same(gone.value, [], 'dropped once unseen for 3 s');
  await s.stop();

  const off = await server(t, ['--no-fleet']);
  t.equal(await poll(off.url, { channel: 'stable-4.9', arch: 'arm64', version: '4.9.15', id: uuid(2) }), 200);
  const answer = await off.api<unknown>('clusters');
  t.equal(answer.status, 500, 'the fleet routes say the inventory is off');
  t.notMatch(await (await fetch(`${off.url}/metrics`)).text(), 'kus_fleet_clusters');
  const bad = runKus(['serve', '--port', '0', '--fleet-retention', '30days'], { KUS_TOKEN: '' });
  t.not(bad.status, 0, 'a bad retention stops the start');
  t.match(bad.stderr, /KUS_ERR_CONFIG: --fleet-retention "30days" is not a duration/);
  const badEnv = runKus(['serve', '--port', '0'], { KUS_TOKEN: '', KUS_FLEET_FLUSH: '5 s' });
  t.not(badEnv.status, 0);
  t.match(badEnv.stderr, /KUS_ERR_CONFIG: KUS_FLEET_FLUSH "5 s" is not a duration/, 'the variable is named');
});

t.test('a cluster polling unchanged is written once, and its last poll is in the fleet API within a flush', async (t) => {
  const s = await server(t, ['--fleet-flush', '1s']);
  const query = { channel: 'stable-4.9', arch: 'arm64', version: '4.9.15', id: uuid(7) };
  const written = async (): Promise<number> => Number(/^kus_fleet_rows_written_total (\d+)$/m.exec(await (await fetch(`${s.url}/metrics`)).text())?.[1]);
  let last = 0;
  for (let i = 0; i < 12; i++) {
    last = Date.now();
    t.equal(await poll(s.url, query), 200);
    await new Promise((r) => setTimeout(r, 250));
  }
  const shown = await until('the last poll in the fleet API', () => s.api<ClusterRow[]>('clusters'), (r) => r.value?.length === 1 && Date.parse(r.value[0]!.lastSeen) >= last);
  t.ok(Date.parse(shown.value[0]!.lastSeen) >= last, `lastSeen ${shown.value[0]!.lastSeen} is the last of 12 polls over 3 s`);
  t.equal(await written(), 1, 'kus_fleet_rows_written_total: one row write for 12 unchanged polls within the minute');
  t.match(await (await fetch(`${s.url}/metrics`)).text(), 'kus_fleet_held_clusters{state="held"} 1');
  // A version change is written at the next flush.
  t.equal(await poll(s.url, { ...query, version: '4.9.15-kylinsec.2' }), 200);
  await until('the change in the fleet API', () => s.api<ClusterRow[]>('clusters'), (r) => r.value?.[0]?.version === '4.9.15-kylinsec.2');
  t.equal(await written(), 2);
  t.equal(await s.stop(), 0);
  const local = runKus(['fleet', 'clusters', '--db', s.db, '--json'], { KUS_TOKEN: '', KUS_SERVER: '' });
  t.match(JSON.parse(local.stdout), [{ id: uuid(7), version: '4.9.15-kylinsec.2' }], 'the store has it after stop');
});

t.test('the aggregator stays bounded whatever clients send', async (t) => {
  let full = 0;
  const agg = new FleetAggregator(1000, () => full++);
  for (let i = 0; i < 100_000; i++) agg.record({ id: uuid(i), version: `1.0.${i}`, channel: 'stable-4.9', arch: 'amd64' }, undefined, i);
  t.equal(agg.size, 1000, 'at most the bound');
  t.same(agg.stats, { recorded: 1000, anonymous: 0, dropped: 99_000, oversized: 0 });
  t.equal(full, 1, 'the owner is asked once to flush');
  const written = agg.drain();
  t.equal(written.entries.length, 1000);
  agg.committed(written);
  t.equal(agg.pending, 0, 'nothing waits once written');
  t.equal(agg.size, 1000, 'the written clusters stay held (to be written again only when changed or a minute later)');

  const long = 'x'.repeat(10_000);
  agg.record({ id: uuid(1), version: long, channel: 'stable-4.9', arch: 'amd64' }, long, 1);
  agg.record({ id: uuid(2), version: '4.9.15', channel: `a${'b'.repeat(FLEET_LIMITS.channelLength)}`, arch: 'amd64' }, undefined, 1);
  for (let i = 0; i < 1000; i++) agg.record({ id: uuid(3), version: i % 2 ? '4.9.15' : '4.9.16', channel: 'stable-4.9', arch: 'amd64' }, undefined, i);
  const [a, b, ...rest] = agg.drain().entries;
  t.equal(a!.version, null, 'an over-long version is not kept');
  t.equal(a!.userAgent!.length, FLEET_LIMITS.userAgentLength, 'User-Agent truncated');
  t.equal(b!.id, uuid(3), 'an over-long channel is not stored');
  t.equal(b!.changes.length, 8, 'version flapping keeps at most 8 changes per cluster and flush');
  t.same(rest, []);
  t.equal(agg.stats.oversized, 2);

  agg.record({ id: uuid(0xabc).toUpperCase(), version: '4.9.15', channel: 'stable-4.9', arch: 'amd64' }, undefined, 1);
  agg.record({ id: uuid(0xabc), version: '4.9.15', channel: 'stable-4.9', arch: 'amd64' }, undefined, 2);
  agg.record({ id: `${uuid(0xabc).slice(0, 35)}g`, version: '4.9.15', channel: 'stable-4.9', arch: 'amd64' }, undefined, 3);
  const [same] = agg.drain().entries;
  t.match(same, { id: uuid(0xabc), firstSeen: 1, lastSeen: 2, changes: [] }, 'an upper-case id is the same cluster; a non-hex one is not a cluster');
});
