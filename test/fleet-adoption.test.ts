// A version's adoption in a channel over time (GET /api/admin/v1/fleet/adoption, drawn by the console against a
// rollout's fraction): the pure series on a hand-counted synthetic fleet, then the route on a real `kus serve` whose
// clusters poll the real graph endpoint with their ids, read with a viewer token and refused to a fleet-report token.
import t from 'tap';
import path from 'node:path';
import { adoptionSeries, sampleTimes } from '../src/services/fleet/index.js';
import { createToken } from './helpers/run-cli.js';
import { serveChild } from './helpers/serve-child.js';
import { repoRoot } from './helpers/shared-fixtures.js';
import { tempTree } from './helpers/temp-tree.js';

const uuid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

t.test('adoptionSeries: first seen by the instant, with the version it ran then', async (t) => {
  // a: on 1 from 0, updates to 2 at 50. b: first seen at 30 on 1, never moves. c: first seen at 10 on 2.
  // d: first seen at 0, moves 0 -> 1 at 20 and 1 -> 2 at 80. e: first seen at 60, now on 2 with no recorded update.
  const clusters = [
    { id: 'a', first: 0, version: '2' }, { id: 'b', first: 30, version: '1' }, { id: 'c', first: 10, version: '2' },
    { id: 'd', first: 0, version: '2' }, { id: 'e', first: 60, version: '2' },
  ];
  const updates = [
    { id: 'a', from: '1', to: '2', at: 50 },
    { id: 'd', from: '0', to: '1', at: 20 }, { id: 'd', from: '1', to: '2', at: 80 },
  ];
  const series = adoptionSeries('2', clusters, updates, [0, 10, 49, 50, 79, 80, 100]);
  t.same(series.map((s) => [s.at, s.clusters, s.running]), [
    [0, 2, 0], // a on 1, d on 0
    [10, 3, 1], // + c on 2
    [49, 4, 1], // + b on 1; d on 1
    [50, 4, 2], // a moved to 2 at 50 (an update at the instant counts)
    [79, 5, 3], // + e on 2
    [80, 5, 4], // d moved to 2
    [100, 5, 4],
  ]);
  t.same(adoptionSeries('2', [], [], [0, 1]), [{ at: 0, clusters: 0, running: 0 }, { at: 1, clusters: 0, running: 0 }], 'no cluster: zeros');
});

t.test('sampleTimes: evenly spaced, both ends included', async (t) => {
  t.same(sampleTimes(0, 100, 5), [0, 25, 50, 75, 100]);
  t.same(sampleTimes(100, 100, 5), [100], 'from = to: one instant');
  t.same(sampleTimes(200, 100, 5), [100], 'from in the future: now only');
});

t.test('GET /fleet/adoption on a real kus serve, from real polls', async (t) => {
  const db = path.join(tempTree(t), 'kus.db');
  const make = (name: string, scope: string): string => createToken(db, name, scope);
  const viewer = make('adoption-viewer', 'viewer');
  const reporter = make('adoption-replica', 'fleet-report');
  const s = await serveChild(t, ['--db', db, '--graph-data', path.join(repoRoot, 'graph-data'), '--fleet-flush', '1s']);
  const poll = async (id: number, version: string, channel = 'stable-4.9'): Promise<void> => {
    const res = await fetch(`${s.url}/api/upgrades_info/graph?${new URLSearchParams({ channel, arch: 'arm64', version, id: uuid(id) }).toString()}`,
      { headers: { accept: 'application/json' } });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`poll ${id}: ${res.status}`);
  };
  const adoption = async (query: string, token = viewer) => {
    const res = await fetch(`${s.url}/api/admin/v1/fleet/adoption?${query}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as { value: { channel: string; version: string; samples: Array<{ at: string; clusters: number; running: number }> }; code?: string; message?: string } };
  };
  const from = new Date(Date.now() - 3_600_000).toISOString();
  const q = (points = 4) => new URLSearchParams({ channel: 'stable-4.9', version: '4.9.15-kylinsec.2', from, points: String(points) }).toString();

  // Ten clusters on 4.9.15 in stable-4.9 and two in fast-4.9 (another channel: not counted).
  for (let i = 0; i < 10; i++) await poll(i, '4.9.15');
  await poll(100, '4.9.15-kylinsec.2', 'fast-4.9');
  await poll(101, '4.9.15-kylinsec.2', 'fast-4.9');
  const deadline = Date.now() + 15_000;
  let last = await adoption(q());
  while (last.body.value?.samples.at(-1)?.clusters !== 10) {
    if (Date.now() > deadline) throw new Error(`the polls did not show within 15 s: ${JSON.stringify(last.body)}`);
    await new Promise((r) => setTimeout(r, 200));
    last = await adoption(q());
  }
  // Three of them update (their next poll reports the new version).
  for (const i of [0, 1, 2]) await poll(i, '4.9.15-kylinsec.2');
  while (last.body.value.samples.at(-1)!.running !== 3) {
    if (Date.now() > deadline + 15_000) throw new Error(`the updates did not show: ${JSON.stringify(last.body)}`);
    await new Promise((r) => setTimeout(r, 200));
    last = await adoption(q());
  }
  t.equal(last.status, 200, 'a viewer token reads it');
  const { value } = last.body;
  t.equal(value.channel, 'stable-4.9');
  t.equal(value.version, '4.9.15-kylinsec.2');
  t.equal(value.samples.length, 4, 'four instants');
  t.equal(value.samples[0]!.at, from, 'the first is `from`');
  t.same(value.samples.slice(0, 3).map((x) => [x.clusters, x.running]), [[0, 0], [0, 0], [0, 0]], 'nobody had polled an hour ago');
  t.same([value.samples[3]!.clusters, value.samples[3]!.running], [10, 3], 'now: 3 of the 10 stable-4.9 clusters run it (fast-4.9 not counted)');
  t.ok(Date.parse(value.samples[3]!.at) > Date.parse(from) + 3_599_000, 'the last instant is now');

  const refused = await adoption(q(), reporter);
  t.equal(refused.status, 403, 'a fleet-report token may not read it');
  t.equal(refused.body.code, 'KUS_ERR_FORBIDDEN');
  const bad = await adoption('channel=stable-4.9&version=4.9.15&from=yesterday');
  t.equal(bad.status, 400, 'a `from` that is not RFC 3339 is refused');
  t.match(bad.body.message, /from/);
  t.equal((await adoption(q(1))).status, 400, 'points below 2 are refused');
  const openapi = (await (await fetch(`${s.url}/openapi.json`)).json()) as { paths: Record<string, { get?: { operationId?: string } }> };
  t.equal(openapi.paths['/api/admin/v1/fleet/adoption']?.get?.operationId, 'getFleetAdoption', 'documented in /openapi.json');
});
