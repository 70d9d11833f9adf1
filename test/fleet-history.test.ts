// The fleet questions that need time to pass, on a real store with an injected clock: how long updates took from the
// offer (median / p90 / max), and clusters that polled daily and stopped (Unseen). Each answer is counted by hand below.
import t, { type Test } from 'tap';
import path from 'node:path';
import { buildGraph, GraphViews } from '../src/graph/index.js';
import { FleetInventory } from '../src/services/fleet/index.js';
import { noteFirstServed } from '../src/services/fleet/offer-notes.js';
import { GraphCache } from '../src/services/graph-cache.js';
import { servedGraphsOf } from '../src/services/graph-explorer.js';
import { openStore } from '../src/store/index.js';
import { clusterUuid, writePolls } from './helpers/fleet-polls.js';
import { tempTree } from './helpers/temp-tree.js';
import { workedGraphData, workedReleases } from './helpers/worked-example.js';

const H = 3600_000;
const D = 24 * H;
const T0 = Date.UTC(2026, 0, 1);
const uuid = clusterUuid;
const silent = { info() {}, warn() {}, error() {} };

function fleet(t: Test, now: number) {
  const store = openStore(path.join(tempTree(t), 'kus.db'));
  t.teardown(() => store.close());
  const graphs = new GraphCache({ load: () => ({ releases: workedReleases(), graphData: workedGraphData() }), logger: silent, warmUp: false });
  t.equal(graphs.rebuild().ok, true, 'the worked example builds');
  const clock = { now };
  // Reading a body would mean parsing every served graph on the thread that answers clusters: the inventory must not.
  const served = { ...servedGraphsOf(graphs), body: (): never => t.fail('the fleet inventory read a served body') as never };
  const inventory = new FleetInventory({ repository: store.fleet, served, now: () => clock.now });
  /** One flush: the polls merged by the aggregator as `kus serve` merges them, then written in one transaction. */
  const flush = (polls: Array<[id: number, version: string, at: number]>, channel = 'stable-1.1'): void => writePolls(store, polls, channel);
  return { store, inventory, flush, clock };
}

t.test('how long updates took from the first offer: median, p90, max (nearest rank)', async (t) => {
  const { store, inventory, flush } = fleet(t, T0 + 10 * D);
  // The build worker notes first-served edges from the views it renders; the same function, with the worked example's views.
  const views = new GraphViews(buildGraph({ releases: workedReleases(), graphData: workedGraphData() }).graph);
  t.ok(views.render('stable-1.1', 'amd64').edges.length > 0, 'the worked example serves edges in stable-1.1/amd64');
  const body = (digest: string) => [{ channel: 'stable-1.1', arch: 'amd64', digest }];
  // Polls before the edge is served: c1, c3, c4 on 1.0.0 from T0; c5 on 1.0.0-rc.1 (no edge from it).
  flush([[1, '1.0.0', T0], [3, '1.0.0', T0], [4, '1.0.0', T0], [5, '1.0.0-rc.1', T0]]);
  flush([[3, '1.1.0', T0 + 9 * H]]); // c3 moved before the edge was served: not offered
  t.equal(noteFirstServed(store.fleet, () => views, body('first'), T0 + 10 * H), 1, 'the edges of stable-1.1/amd64 are first served at 10:00');
  t.equal(noteFirstServed(store.fleet, () => views, body('first'), T0 + 20 * H), 0, 'the same content is not read again');
  t.equal(noteFirstServed(store.fleet, () => views, body('second'), T0 + 50 * H), 1, 'a new content of the body is read again; its edges keep their first time (the durations below count from 10:00)');
  flush([[1, '1.1.0', T0 + 12 * H]]); // offered 10:00 (edge), running 1.0.0 since T0: 2h
  flush([[2, '1.0.0', T0 + 20 * H]]); // c2 first polls after the edge is served...
  flush([[2, '1.1.0', T0 + D + 4 * H]]); // ...offered at its first poll: 8h
  // c5 updates into 1.0.0 and on to 1.1.0 within one flush: offered when it started running 1.0.0 (30h): 10h.
  flush([[5, '1.0.0', T0 + 30 * H], [5, '1.1.0', T0 + 40 * H]]);
  flush([[4, '1.1.0', T0 + 3 * D + 10 * H]]); // offered 10:00 on day 0: 72h

  const updates = inventory.updates();
  t.same(updates, [
    {
      from: '1.0.0', to: '1.1.0', clusters: 5, firstSeen: new Date(T0 + 9 * H).toISOString(), lastSeen: new Date(T0 + 3 * D + 10 * H).toISOString(),
      // took: 2h, 8h, 10h, 72h; median = rank ceil(0.5 * 4) = 2nd = 8h; p90 = rank ceil(0.9 * 4) = 4th = 72h
      offered: 4, tookMedian: 8 * 3600, tookP90: 72 * 3600, tookMax: 72 * 3600,
    },
    {
      from: '1.0.0-rc.1', to: '1.0.0', clusters: 1, firstSeen: new Date(T0 + 30 * H).toISOString(), lastSeen: new Date(T0 + 30 * H).toISOString(),
      offered: 0, tookMedian: null, tookP90: null, tookMax: null,
    },
  ]);
  const recent = inventory.updates(7 * D + 12 * H); // since T0 + 2.5 days: only c4's update
  t.match(recent, [{ from: '1.0.0', to: '1.1.0', clusters: 1, offered: 1, tookMedian: 72 * 3600, tookP90: 72 * 3600, tookMax: 72 * 3600 }]);
  t.equal(recent.length, 1);
});

t.test('Unseen: clusters seen daily and not for longer than the threshold, with the other reasons', async (t) => {
  const now = T0 + 10 * D;
  const { inventory, flush } = fleet(t, now);
  const daily = (id: number, days: number[], version = '1.1.0'): void => {
    for (const d of days) flush([[id, version, T0 + d * D + H]]);
  };
  daily(1, [0, 1, 2, 3, 4]); // daily, last poll 5d23h ago: Unseen
  daily(2, [0, 1, 2, 3, 4, 5, 6, 7, 8]); // daily, last poll 1d23h ago: not past 2d
  daily(3, [0]); // one day only: not "seen daily"
  daily(4, [0, 4]); // 2 of 5 days: not daily
  daily(5, [0, 1, 2, 4]); // 4 of 5 days (>= 3/4): daily, Unseen
  flush([[6, '1.1.0', T0 + 23 * H], [6, '1.1.0', T0 + D + H]]); // one flush across midnight counts both days...
  daily(6, [2]); // ...so 3 of 3 days: daily, Unseen (last poll 7d23h ago: "8.0 days")
  daily(7, [0, 1, 2, 3], '1.2.0'); // not a node of stable-1.1 either, but it stopped polling: Unseen comes first
  for (let d = 0; d < 10; d++) flush([[8, '1.2.0', T0 + d * D + H]]); // still polling: VersionNotFound
  flush([[9, '1.1.0', now - H]], 'stable-9.9'); // ChannelNotFound
  flush([[10, '1.1.0', now - H]], 'candidate-1.10'); // candidate-1.10 lists only 1.2.1: VersionNotFound

  const unseenHint = (days: string, last: number, polled: number) =>
    `not seen for ${days} days (last poll ${new Date(last).toISOString()}) after polling on ${polled} days since ${new Date(T0 + H).toISOString()}: ` +
    'check that the cluster is up and still reaches this server (ClusterVersion spec.upstream, proxy, network); ' +
    'if it was retired, nothing to do: it is dropped after --fleet-retention';
  const problems = inventory.problems().map(({ id, reason, hint }) => ({ id, reason, hint }));
  t.same(problems, [
    { id: uuid(1), reason: 'Unseen', hint: unseenHint('6.0', T0 + 4 * D + H, 5) },
    { id: uuid(5), reason: 'Unseen', hint: unseenHint('6.0', T0 + 4 * D + H, 4) },
    { id: uuid(6), reason: 'Unseen', hint: unseenHint('8.0', T0 + 2 * D + H, 3).replace(new Date(T0 + H).toISOString(), new Date(T0 + 23 * H).toISOString()) },
    { id: uuid(7), reason: 'Unseen', hint: unseenHint('7.0', T0 + 3 * D + H, 4) },
    { id: uuid(8), reason: 'VersionNotFound', hint: 'add 1.2.0 to "stable-1.1" (kus channel add stable-1.1 1.2.0), or switch the cluster to "candidate-1.2" or "stable-1.2", which list it' },
    { id: uuid(9), reason: 'ChannelNotFound', hint: 'channel "stable-9.9" does not exist or lists no releases: create it, or set the cluster\'s channel to one that exists' },
    { id: uuid(10), reason: 'VersionNotFound', hint: 'add 1.1.0 to "candidate-1.10" (kus channel add candidate-1.10 1.1.0), or switch the cluster to "candidate-1.2" or "stable-1.1", which list it' },
  ]);
  const oneDay = inventory.problems(D).filter((p) => p.reason === 'Unseen').map((p) => p.id);
  t.same(oneDay, [uuid(1), uuid(2), uuid(5), uuid(6), uuid(7)], 'with a 1-day threshold the cluster last seen 1d23h ago is Unseen too');
  t.same(inventory.problems(8 * D).filter((p) => p.reason === 'Unseen').map((p) => p.id), [], 'none unseen for longer than 8 days (the longest silence is 7d23h)');
  // The /metrics gauge counts the same from SQLite's counts per (channel, arch, version), without reading each cluster.
  t.same(Object.fromEntries(inventory.problemCounts()), { Unseen: 4, VersionNotFound: 2, ChannelNotFound: 1, ArchNotServed: 0 }, 'counts by reason as listed');
  t.same(Object.fromEntries(inventory.problemCounts(D)), { Unseen: 5, VersionNotFound: 2, ChannelNotFound: 1, ArchNotServed: 0 }, 'and with a 1-day threshold');
});
