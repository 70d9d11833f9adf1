// The recorder holds clusters in memory across writes (aggregator.ts): on a real store with an injected clock, an
// unchanged cluster's row is written about once a minute however often it polls, while the fleet questions show its
// last poll at once; a version change is written at the next flush and recorded once; the memory stays bounded with
// more clusters than it holds, and no change waiting to be written is lost (a write the store refuses included).
import t, { type Test } from 'tap';
import path from 'node:path';
import Database from 'better-sqlite3';
import { FLEET_REFRESH_MS, FleetInventory, FleetRecorder } from '../src/services/fleet/index.js';
import { GraphCache } from '../src/services/graph-cache.js';
import { servedGraphsOf } from '../src/services/graph-explorer.js';
import { openStore } from '../src/store/index.js';
import { tempTree } from './helpers/temp-tree.js';
import { workedGraphData, workedReleases } from './helpers/worked-example.js';

const T0 = Date.UTC(2026, 0, 1);
const S = 1000;
const uuid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const silent = { info() {}, warn() {}, error() {} };

function fleet(t: Test, options: { maxClusters?: number; retentionMs?: number } = {}) {
  const file = path.join(tempTree(t), 'kus.db');
  const store = openStore(file);
  t.teardown(() => store.close());
  const graphs = new GraphCache({ load: () => ({ releases: workedReleases(), graphData: workedGraphData() }), logger: silent, warmUp: false });
  t.equal(graphs.rebuild().ok, true, 'the worked example builds');
  const clock = { now: T0 };
  const errors: string[] = [];
  const recorder = new FleetRecorder({
    repository: store.fleet, logger: { error: (_obj, msg) => errors.push(msg) }, now: () => clock.now, ...options,
  });
  const inventory = new FleetInventory({ repository: store.fleet, served: servedGraphsOf(graphs), live: recorder, now: () => clock.now });
  const poll = (id: number, version: string, at: number, channel = 'stable-1.1', userAgent = 'CVO/1.1'): void => {
    clock.now = at;
    recorder.record({ id: uuid(id), version, channel, arch: 'amd64' }, userAgent);
  };
  /** What the store holds of a cluster, read without the recorder's memory. */
  const stored = (id: number) => store.fleet.clusters({}).find((c) => c.id === uuid(id));
  return { file, store, recorder, inventory, poll, clock, stored, errors };
}

t.test('an unchanged cluster polling every 5 s is written once a minute; the fleet questions show its last poll at each flush', async (t) => {
  const { recorder, inventory, poll, stored, store } = fleet(t);
  let stalest = 0;
  const END = T0 + 655 * S;
  for (let at = T0; at <= END; at += 5 * S) {
    poll(1, '1.0.0', at);
    await recorder.flush(); // the 5 s timer
    const [c] = inventory.clusters();
    t.equal(c?.lastSeen, new Date(at).toISOString(), `the clusters list shows the poll at +${(at - T0) / S} s`);
    stalest = Math.max(stalest, at - stored(1)!.lastSeen);
  }
  // 132 polls over 11 minutes: written at 0, 60, 120, ... 600 s; the last, at 655 s, is held until 660 s.
  t.equal(recorder.stats.recorded, 132);
  t.equal(recorder.rowsWritten, 11, '11 row writes for 132 polls (one a minute)');
  t.ok(stalest < FLEET_REFRESH_MS, `the stored last poll lagged by at most ${stalest / S} s (< 60 s)`);
  t.same(inventory.clusters({ sinceMs: 2 * S }).map((c) => c.id), [uuid(1)], 'seen within the last 2 s, though the store says 55 s ago');
  t.equal(store.fleet.clusters({ since: END - 2 * S }).length, 0, '(the store alone does not know)');
  t.same(inventory.channelActivity('stable-1.1', END - 2 * S).clusters.map((c) => c.id), [uuid(1)], 'a rollout\'s evidence sees it polling too');

  // A changed User-Agent, channel or arch is written at the next flush, not a minute later.
  poll(1, '1.0.0', END + 5 * S, 'stable-1.1', 'CVO/1.2');
  await recorder.flush();
  t.equal(stored(1)!.userAgent, 'CVO/1.2');
  poll(1, '1.0.0', END + 10 * S, 'fast-1.1', 'CVO/1.2');
  await recorder.flush();
  t.equal(stored(1)!.channel, 'fast-1.1');
  t.equal(recorder.rowsWritten, 13);

  // Stopping writes every held cluster's last poll: the store alone is then exact.
  poll(1, '1.0.0', END + 15 * S, 'fast-1.1', 'CVO/1.2');
  await recorder.stop();
  t.equal(stored(1)!.lastSeen, END + 15 * S, 'the last poll is in the store after stop');
});

t.test('a cluster that goes silent has its last poll stored within a minute and a flush', async (t) => {
  const { recorder, poll, stored, clock } = fleet(t);
  poll(1, '1.0.0', T0);
  await recorder.flush();
  poll(1, '1.0.0', T0 + 30 * S); // then nothing
  for (let at = T0 + 35 * S; at < T0 + 60 * S; at += 5 * S) {
    clock.now = at;
    await recorder.flush();
    t.equal(stored(1)!.lastSeen, T0, `+${(at - T0) / S} s: not written yet (held, shown from memory)`);
  }
  clock.now = T0 + 60 * S;
  t.equal(await recorder.flush(), 1, 'its write is a minute old: the held last poll is written');
  t.equal(stored(1)!.lastSeen, T0 + 30 * S);
  clock.now = T0 + 120 * S;
  t.equal(await recorder.flush(), 0, 'and nothing more while it stays silent');
  t.equal(recorder.rowsWritten, 2);
});

t.test('days seen: refreshes within a day count it once, a poll on the next day counts that day', async (t) => {
  const { recorder, poll, file } = fleet(t);
  const H = 3600 * S;
  // Every 5 s from 23:00 to 01:00: refreshed once a minute on both days.
  for (let at = T0 + 23 * H; at <= T0 + 25 * H; at += 5 * S) {
    poll(1, '1.0.0', at);
    await recorder.flush();
  }
  t.equal(recorder.rowsWritten, 121, 'written once a minute for two hours');
  const db = new Database(file, { readonly: true });
  t.teardown(() => db.close());
  t.same(db.prepare('SELECT days_seen, last_seen FROM fleet_clusters').get(), { days_seen: 2, last_seen: T0 + 25 * H }, 'two UTC days, not one per write');
});

t.test('a version change is written at the next flush and recorded once, at the poll that showed it', async (t) => {
  const { recorder, inventory, poll, stored } = fleet(t);
  poll(1, '1.0.0', T0);
  poll(2, '1.0.0', T0);
  await recorder.flush();
  const before = recorder.rowsWritten;
  // Cluster 1 moves at +20 s (within the minute after its write: not a refresh), cluster 2 polls unchanged.
  poll(1, '1.0.0', T0 + 10 * S);
  poll(1, '1.1.0', T0 + 20 * S);
  poll(2, '1.0.0', T0 + 20 * S);
  await recorder.flush();
  t.equal(recorder.rowsWritten - before, 1, 'only the changed cluster is written');
  t.equal(stored(1)!.version, '1.1.0');
  // It keeps polling 1.1.0 for ten minutes, refreshed once a minute: the update stays one row, dated at +20 s.
  for (let at = T0 + 25 * S; at <= T0 + 10 * 60 * S; at += 5 * S) {
    poll(1, '1.1.0', at);
    await recorder.flush();
  }
  // Moved again right after a write (the first poll since it): dated at that poll too.
  poll(1, '1.2.0', T0 + 10 * 60 * S + 1);
  await recorder.flush();
  const updates = inventory.updates().map(({ from, to, clusters, firstSeen, lastSeen }) => ({ from, to, clusters, firstSeen, lastSeen }));
  t.same(updates, [
    { from: '1.0.0', to: '1.1.0', clusters: 1, firstSeen: new Date(T0 + 20 * S).toISOString(), lastSeen: new Date(T0 + 20 * S).toISOString() },
    { from: '1.1.0', to: '1.2.0', clusters: 1, firstSeen: new Date(T0 + 10 * 60 * S + 1).toISOString(), lastSeen: new Date(T0 + 10 * 60 * S + 1).toISOString() },
  ]);
  t.equal(inventory.clusters({ version: '1.2.0' }).length, 1);
});

t.test('more clusters than memory holds: bounded, written ones let go, no change waiting to be written lost', async (t) => {
  const { recorder, poll, store } = fleet(t, { maxClusters: 100 });
  for (let i = 0; i < 100; i++) poll(i, '1.0.0', T0 + i);
  // All 100 wait to be written: a further cluster finds no room; its poll is dropped (counted) and a write asked for.
  poll(1000, '1.0.0', T0 + 100);
  t.equal(recorder.stats.dropped, 1);
  t.equal(recorder.held.clusters, 100);
  await new Promise((resolve) => setImmediate(resolve));
  await recorder.flush();
  t.equal(recorder.pending, 0, 'the full memory was written at once');
  t.equal(store.fleet.count(), 100);

  // 300 further clusters: each takes the place of a written one.
  for (let i = 100; i < 400; i++) {
    poll(i, '1.0.0', T0 + S + i);
    if (i % 50 === 0) await recorder.flush();
  }
  t.equal(recorder.held.clusters, 100, 'never more than the bound');
  t.ok(recorder.held.evicted >= 300, `${recorder.held.evicted} written clusters let go`);
  t.equal(recorder.stats.dropped, 1, 'no further poll dropped: written clusters make room');
  await recorder.flush();
  t.equal(store.fleet.count(), 400, 'every cluster is in the store');

  // Every one of the 400 changes version: those let go come back (each a new entry, evicting a written one); while all
  // held ones wait to be written, further ones are dropped and a write is asked for. Polled again until none drops.
  const moved = new Set<number>();
  for (let round = 0; moved.size < 400 && round < 20; round++) {
    for (let i = 0; i < 400; i++) {
      if (moved.has(i)) continue;
      const dropped = recorder.stats.dropped;
      poll(i, '1.1.0', T0 + 10 * S + round * S + i);
      if (recorder.stats.dropped === dropped) moved.add(i);
    }
    t.ok(recorder.held.clusters <= 100, `round ${round}: ${recorder.held.clusters} held`);
    await recorder.flush();
  }
  t.equal(moved.size, 400);
  const updates = store.fleet.updates(0);
  t.same(updates.map(({ from, to, clusters }) => ({ from, to, clusters })), [{ from: '1.0.0', to: '1.1.0', clusters: 400 }], 'each cluster\'s change recorded once');
  t.equal(store.fleet.clusters({ version: '1.1.0' }).length, 400);
});

t.test('refreshes of clusters first written together are spread over the next interval; a change is not held back', async (t) => {
  const { recorder, poll, store, clock } = fleet(t);
  const N = 15_000; // past the floor: the quota is the clusters' share of a minute, 15,000 * 5 s / 60 s = 1,250 a flush
  const quota = Math.ceil((N * 5 * S) / FLEET_REFRESH_MS);
  for (let i = 0; i < N; i++) poll(i, '1.0.0', T0);
  t.equal(await recorder.flush(), N, 'new clusters are written at once, whatever their number');
  const stored = new Map<string, number>();
  let over = 0;
  let stalest = 0;
  let changedAt = -1;
  for (let at = T0 + 5 * S; at <= T0 + 180 * S; at += 5 * S) {
    for (let i = 0; i < N; i++) poll(i, i === 7 && at >= T0 + 70 * S ? '1.1.0' : '1.0.0', at);
    clock.now = at;
    const written = await recorder.flush();
    // The one change (at +70 s, amid the backlog) must be written at that flush, beyond the quota.
    if (at === T0 + 70 * S) changedAt = written;
    else if (written > quota) over++;
    for (const c of store.fleet.clusters({})) stored.set(c.id, c.lastSeen);
    for (const seen of stored.values()) stalest = Math.max(stalest, at - seen);
  }
  t.equal(over, 0, `no flush wrote more than ${quota} refreshes`);
  t.ok(changedAt >= 1 && changedAt <= quota + 1, `the flush after the change wrote it with the refreshes (${changedAt} rows)`);
  t.equal(store.fleet.clusters({ version: '1.1.0' }).length, 1, 'the change is stored');
  t.ok(stalest < 2 * FLEET_REFRESH_MS + 5 * S, `every stored last poll lagged by less than two minutes and a flush (at most ${stalest / S} s)`);
  t.ok(stalest >= FLEET_REFRESH_MS, `(the backlog did lag beyond one minute: ${stalest / S} s)`);
});

t.test('a write the store refuses is kept: its changes are written with the next one, dated as polled', async (t) => {
  const { file, recorder, poll, store, errors, inventory } = fleet(t);
  poll(1, '1.0.0', T0);
  poll(2, '1.0.0', T0);
  await recorder.flush();
  // Another connection holds the write lock (as another process could): the write fails after the busy timeout.
  const other = new Database(file);
  t.teardown(() => other.close());
  other.exec('BEGIN IMMEDIATE');
  poll(1, '1.1.0', T0 + 10 * S);
  poll(3, '1.0.0', T0 + 10 * S);
  t.equal(await recorder.flush(), 0, 'nothing written while the store is locked');
  t.equal(recorder.failedFlushes, 1);
  t.match(errors, ['could not write fleet polls to the store; they wait for the next write']);
  t.equal(recorder.pending, 2, 'both wait again');
  // Polls meanwhile merge into what waits: cluster 1 moves on.
  poll(1, '1.2.0', T0 + 20 * S);
  other.exec('COMMIT');
  t.equal(await recorder.flush(), 2);
  t.same(store.fleet.updates(0).map(({ from, to, first }) => ({ from, to, at: first })), [
    { from: '1.0.0', to: '1.1.0', at: T0 + 10 * S },
    { from: '1.1.0', to: '1.2.0', at: T0 + 20 * S },
  ], 'both changes, each at the poll that showed it');
  t.same(inventory.clusters().map((c) => [c.id, c.version]), [[uuid(1), '1.2.0'], [uuid(2), '1.0.0'], [uuid(3), '1.0.0']]);
});

t.test('retention: a held cluster polled since the cut is kept though its row was older; one silent is dropped', async (t) => {
  const { recorder, poll, store, clock } = fleet(t, { retentionMs: 30 * S });
  poll(1, '1.0.0', T0);
  poll(2, '1.0.0', T0);
  await recorder.flush();
  // Cluster 1 polls 30 s later (not written: within the minute); cluster 2 stays silent.
  poll(1, '1.0.0', T0 + 30 * S);
  await recorder.flush();
  t.equal(store.fleet.clusters({}).find((c) => c.id === uuid(1))!.lastSeen, T0, 'the row still says T0, before the cut below');
  clock.now = T0 + 40 * S; // cut at T0 + 10 s
  t.equal(await recorder.prune(), 1, 'only the silent cluster is dropped');
  t.same(store.fleet.clusters({}).map((c) => [c.id, c.lastSeen]), [[uuid(1), T0 + 30 * S]], 'the held one was written first');
  t.equal(recorder.held.clusters, 1, 'and the dropped one is let go from memory');
});
