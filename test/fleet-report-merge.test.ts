// Replicas deliver fleet batches at least once and in any order; the primary's store must merge them idempotently by
// cluster and time. Batches are made by the real aggregator from synthetic polls (version changes within and across
// batches), written to real SQLite stores in order, duplicated, reversed and shuffled, and through the report route.
import t from 'tap';
import path from 'node:path';
import { buildApp } from '../src/server/app.js';
import { FleetAggregator, FleetInventory, FleetRecorder, mergeFleetEntries, type FleetPollBatchEntry } from '../src/services/fleet/index.js';
import { GraphCache } from '../src/services/graph-cache.js';
import { servedGraphsOf } from '../src/services/graph-explorer.js';
import { Publisher } from '../src/services/publisher.js';
import { Tokens } from '../src/services/tokens.js';
import { openStore, type Store } from '../src/store/index.js';
import { ADMIN, silentLogger } from './helpers/admin-app.js';
import { tempTree } from './helpers/temp-tree.js';

const uuid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const VERSIONS = ['4.9.15', '4.9.16', '4.9.17', '4.9.18'];
const CLUSTERS = 300;
const T0 = 1_700_000_000_000;

/** Six flushes of polls: every cluster polls twice per flush; cluster i moves one version up at flush i % 6 (if i % 3 == 0). */
function batches(): FleetPollBatchEntry[][] {
  const out: FleetPollBatchEntry[][] = [];
  for (let flush = 0; flush < 6; flush++) {
    const agg = new FleetAggregator();
    for (let poll = 0; poll < 2; poll++) {
      for (let i = 0; i < CLUSTERS; i++) {
        const step = i % 3 === 0 ? (flush > i % 6 ? 1 : flush === i % 6 && poll === 1 ? 1 : 0) + (flush > (i + 3) % 6 ? 1 : 0) : 0;
        const at = T0 + flush * 60_000 + poll * 20_000 + i;
        agg.record({ id: uuid(i), version: VERSIONS[step]!, channel: 'stable-4.9', arch: i % 2 ? 'arm64' : 'amd64' }, 'CVO/4.9', at);
      }
    }
    out.push(agg.drain().entries);
  }
  return out;
}

function store(t: Parameters<typeof tempTree>[0]): Store {
  const s = openStore(path.join(tempTree(t), 'kus.db'));
  t.teardown(() => s.close());
  return s;
}

const dump = (s: Store) => ({ clusters: s.fleet.clusters({}), updates: s.fleet.updates(0) });

t.test('duplicates change nothing; reordered batches store what in-order writing stores', async (t) => {
  const all = batches();
  const reference = store(t);
  for (const b of all) reference.fleet.record(b);
  const expected = dump(reference);
  t.ok(expected.updates.length >= 2, `${expected.updates.reduce((n, u) => n + u.clusters, 0)} cluster updates in the reference`);
  t.equal(expected.clusters.length, CLUSTERS);

  const duplicated = store(t);
  for (const b of all) {
    duplicated.fleet.record(b);
    duplicated.fleet.record(b);
  }
  for (const b of [...all].reverse()) duplicated.fleet.record(b);
  t.same(dump(duplicated), expected, 'every batch sent twice, then all again in reverse: the same clusters and updates');

  const reversed = store(t);
  for (const b of [...all].reverse()) reversed.fleet.record(b);
  t.same(dump(reversed), expected, 'reversed: every cluster\'s first/last seen and current version, and every update, as in order');

  const older = store(t);
  older.fleet.record(all[5]!);
  older.fleet.record(all[0]!);
  t.same(older.fleet.clusters({}).map((c) => [c.id, c.version, c.lastSeen]), reference.fleet.clusters({}).map((c) => [c.id, c.version, c.lastSeen]),
    'the oldest batch after the newest: current versions stay the newest');
});

t.test('the replica buffer\'s per-cluster merge loses nothing, merging batches forwards or backwards', async (t) => {
  const all = batches();
  const reference = store(t);
  for (const b of all) reference.fleet.record(b);
  const mergeAll = (order: FleetPollBatchEntry[][]): FleetPollBatchEntry[] => {
    const buffer = new Map<string, FleetPollBatchEntry>();
    for (const b of order) for (const e of b) buffer.set(e.id, buffer.has(e.id) ? mergeFleetEntries(buffer.get(e.id)!, e) : e);
    return [...buffer.values()];
  };
  // Forwards: batches drained while the primary is away. Backwards: a failed request's (older) entries put back into
  // the newer ones that arrived meanwhile.
  for (const [what, order] of [['in order', all], ['reversed', [...all].reverse()]] as const) {
    const merged = store(t);
    const entries = mergeAll([...order]);
    t.equal(entries.length, CLUSTERS, `${what}: one entry per cluster`);
    merged.fleet.record(entries);
    t.same(dump(merged), dump(reference), `${what}: merged then written = every batch written in order`);
  }
  const putBack = store(t);
  const held = mergeAll([all[3]!, all[4]!, all[5]!]);
  const inFlight = mergeAll([all[0]!, all[1]!, all[2]!]);
  putBack.fleet.record(mergeAll([held, inFlight]));
  t.same(dump(putBack), dump(reference), 'a failed request\'s entries merged back into the newer buffer: the same');
});

t.test('through POST /fleet/reports: a resent report changes nothing', async (t) => {
  const s = store(t);
  const cache = new GraphCache({ load: () => s.loadGraphInput(), logger: silentLogger });
  cache.rebuild();
  const tokens = new Tokens({ store: s });
  const recorder = new FleetRecorder({ repository: s.fleet, logger: silentLogger });
  const inventory = new FleetInventory({ repository: s.fleet, served: servedGraphsOf(cache) });
  const app = buildApp({ graphs: cache, logLevel: 'silent', fleet: { recorder, inventory }, admin: { publisher: new Publisher({ store: s, rebuild: () => cache.rebuild() }), tokens, fleet: inventory, fleetReports: recorder } });
  t.teardown(() => app.close());
  const { token } = tokens.create({ name: 'setup' }, 'replica', 'fleet-report');
  const send = (entries: FleetPollBatchEntry[]) =>
    app.inject({ method: 'POST', url: `${ADMIN}/fleet/reports`, headers: { authorization: `Bearer ${token}` }, payload: { replica: 'r1', entries } });
  const all = batches();
  for (const b of all) t.equal((await send(b)).statusCode, 200);
  const once = dump(s);
  for (const b of [...all].reverse()) t.equal((await send(b)).statusCode, 200);
  t.same(dump(s), once, 'all reports again, newest first: nothing changed');
  t.equal(recorder.merged, 2 * all.reduce((n, b) => n + b.length, 0), 'every entry was merged (kus_fleet_report_entries_merged_total)');
  const metrics = await app.inject({ url: '/metrics' });
  t.match(metrics.body, new RegExp(`kus_fleet_report_entries_merged_total ${recorder.merged}`));
  const bad = await send([{ ...all[0]![0]!, firstSeen: T0 + 10, lastSeen: T0 }]);
  t.equal(bad.statusCode, 400);
  t.match(JSON.parse(bad.body).message, /firstSeen .* after lastSeen/);
  const tooMany = await send(Array.from({ length: 1001 }, (_, i) => ({ ...all[0]![0]!, id: uuid(10_000 + i) })));
  t.equal(tooMany.statusCode, 400, 'more than 1,000 entries per report is refused');
});

/** Every ordering of `items` (n! of them). */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]));
}

t.test('batches in every order, and each twice: the same clusters and the same update rows, each at its first poll', async (t) => {
  // Versions per cluster per flush (two polls each; null: no version sent; undefined: no poll in that flush).
  const plans: Array<Array<[string | null, string | null] | undefined>> = [
    [['4.9.15', '4.9.15'], ['4.9.16', '4.9.16'], ['4.9.16', '4.9.16'], ['4.9.17', '4.9.17']], // changes between batches
    [['4.9.15', '4.9.15'], ['4.9.15', '4.9.16'], ['4.9.16', '4.9.16'], ['4.9.16', '4.9.16']], // a change within a batch
    [['4.9.15', '4.9.15'], ['4.9.16', '4.9.16'], ['4.9.17', '4.9.17'], ['4.9.17', '4.9.18']], // one each flush
    [[null, null], ['4.9.15', '4.9.15'], ['4.9.15', '4.9.15'], ['4.9.16', '4.9.16']], // no version at first
    [['4.9.15', '4.9.15'], undefined, undefined, ['4.9.16', '4.9.16']], // silent in between
    [['4.9.15', '4.9.15'], ['4.9.15', '4.9.15'], ['4.9.15', '4.9.15'], ['4.9.15', '4.9.15']], // never updates
  ];
  const flushes: FleetPollBatchEntry[][] = [0, 1, 2, 3].map((flush) => {
    const agg = new FleetAggregator();
    for (let poll = 0; poll < 2; poll++) {
      plans.forEach((plan, i) => {
        const polls = plan[flush];
        if (polls) agg.record({ id: uuid(i), version: polls[poll] ?? undefined, channel: 'stable-4.9', arch: 'amd64' }, 'CVO/4.9', T0 + flush * 60_000 + poll * 20_000 + i);
      });
    }
    return agg.drain().entries;
  });
  const rows = (s: Store) => ({ clusters: s.fleet.clusters({}), updates: s.fleet.historyRows().updates.sort((a, b) => a.id.localeCompare(b.id) || a.at - b.at) });
  const reference = store(t);
  for (const b of flushes) reference.fleet.record(b);
  const expected = rows(reference);
  const at = (flush: number, poll: number, i: number) => T0 + flush * 60_000 + poll * 20_000 + i;
  t.same(expected.updates, [
    { id: uuid(0), from: '4.9.15', to: '4.9.16', at: at(1, 0, 0) }, { id: uuid(0), from: '4.9.16', to: '4.9.17', at: at(3, 0, 0) },
    { id: uuid(1), from: '4.9.15', to: '4.9.16', at: at(1, 1, 1) },
    { id: uuid(2), from: '4.9.15', to: '4.9.16', at: at(1, 0, 2) }, { id: uuid(2), from: '4.9.16', to: '4.9.17', at: at(2, 0, 2) },
    { id: uuid(2), from: '4.9.17', to: '4.9.18', at: at(3, 1, 2) },
    { id: uuid(3), from: '4.9.15', to: '4.9.16', at: at(3, 0, 3) },
    { id: uuid(4), from: '4.9.15', to: '4.9.16', at: at(3, 0, 4) },
  ], 'in order: each update at the first poll that showed the new version');
  let orders = 0;
  for (const order of permutations([0, 1, 2, 3])) {
    const s = store(t);
    // Each batch twice: the order, then the same again backwards (a replica resending everything).
    for (const i of [...order, ...[...order].reverse()]) s.fleet.record(flushes[i]!);
    const got = rows(s);
    if (JSON.stringify(got) !== JSON.stringify(expected)) {
      t.same(got, expected, `batches in the order ${order.join(', ')} then back`);
      break;
    }
    orders++;
  }
  t.equal(orders, 24, 'all 24 orders, each followed by every batch again in reverse, stored what in-order writing stores');
});
