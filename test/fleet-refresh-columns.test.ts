// Clusters that only polled again go to the store as columns (refresh-columns.ts), not as entries: the store must end up
// exactly as if they had been entries, through the in-process writer and through the writer's real worker thread,
// including when the stored row moved on meanwhile (the one-statement refresh then falls back to the full merge) and
// when a write fails (its clusters wait for the next one).
import t, { type Test } from 'tap';
import path from 'node:path';
import { drainedEntries, FleetAggregator, FleetRecorder, WorkerFleetWriter, directFleetWriter, type FleetPollBatchEntry, type FleetWriter } from '../src/services/fleet/index.js';
import { openStore, type Store } from '../src/store/index.js';
import { tempTree } from './helpers/temp-tree.js';

const uuid = (n: number): string => `0000abcd-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const CLUSTERS = 400;
const MINUTE = 60_000;
// Shortly before a UTC midnight, so that the flushes cross it (days_seen counts UTC days).
const T0 = Date.UTC(2026, 11, 4, 23, 56);
const VERSIONS = ['4.9.15', '4.9.16', '4.9.17'];

interface Poll { id: string; version: string; channel: string; arch: string; ua: string; at: number }

/**
 * Ten flushes a minute apart. Every cluster polls twice per flush; one in five moves a version up at some flush, one in
 * seven changes its User-Agent once, one in eleven skips a flush (found due at the next flush's pass, not by a poll).
 */
function flushes(): Poll[][] {
  const out: Poll[][] = [];
  for (let f = 0; f < 10; f++) {
    const polls: Poll[] = [];
    for (let i = 0; i < CLUSTERS; i++) {
      if (i % 11 === 0 && f % 3 === 1) continue;
      const version = VERSIONS[i % 5 === 0 ? Math.min(2, Math.floor((f + i) / 4) % 3) : 0]!;
      const ua = i % 7 === 0 && f >= 5 ? 'CVO/4.10' : 'CVO/4.9';
      for (let p = 0; p < 2; p++) {
        polls.push({ id: uuid(i), version, channel: 'stable-4.9', arch: i % 2 ? 'arm64' : 'amd64', ua, at: T0 + f * MINUTE + p * 20_000 + i });
      }
    }
    out.push(polls);
  }
  return out;
}

function store(t: Test, file = path.join(tempTree(t), 'kus.db')): Store {
  const s = openStore(file);
  t.teardown(() => s.close());
  return s;
}

const dump = (s: Store) => ({ clusters: s.fleet.clusters({}), updates: s.fleet.updates(0), daily: s.fleet.unseenDaily(Number.MAX_SAFE_INTEGER) });

/** A row another source wrote meanwhile (a replica's report): a later channel for a few clusters, so their refresh must fall back. */
const foreign = (flush: number): FleetPollBatchEntry[] => [3, 4, 5].map((i) => ({
  id: uuid(i), firstSeen: T0 + flush * MINUTE + 1, lastSeen: T0 + flush * MINUTE + 2, version: VERSIONS[0]!, firstVersion: VERSIONS[0]!,
  channel: 'fast-4.9', arch: i % 2 ? 'arm64' : 'amd64', userAgent: 'CVO/4.9', changes: [],
}));

/** The reference: every drained cluster as an entry (refreshes too), written by FleetRepository.record. */
function reference(t: Test): Store {
  const s = store(t);
  const agg = new FleetAggregator(CLUSTERS * 2, undefined, MINUTE);
  flushes().forEach((polls, f) => {
    for (const p of polls) agg.record(p, p.ua, p.at);
    if (f === 6) s.fleet.record(foreign(f));
    const now = T0 + f * MINUTE + 50_000;
    agg.markDue(now);
    const drain = agg.drain();
    s.fleet.record(drainedEntries(drain));
    agg.committed(drain);
  });
  return s;
}

t.test('refreshes written as columns store what entries store, in-process', async (t) => {
  const expected = dump(reference(t));
  t.ok(expected.updates.length > 0 && expected.daily.length > 0, 'the scenario has updates and clusters seen on two days');

  const s = store(t);
  const writer = directFleetWriter(s.fleet);
  const agg = new FleetAggregator(CLUSTERS * 2, undefined, MINUTE);
  let refreshed = 0;
  let entries = 0;
  for (const [f, polls] of flushes().entries()) {
    for (const p of polls) agg.record(p, p.ua, p.at);
    if (f === 6) s.fleet.record(foreign(f));
    agg.markDue(T0 + f * MINUTE + 50_000);
    const drain = agg.drain();
    refreshed += drain.refreshes.count;
    entries += drain.entries.length;
    await writer.record(drain.entries, drain.refreshes);
    agg.committed(drain);
    if (f === 6) {
      // Clusters 3 and 4 polled unchanged: refreshes, which the one-statement refresh cannot apply over the foreign row.
      t.notOk(drain.entries.some((e) => e.id === uuid(3) || e.id === uuid(4)), 'clusters 3 and 4 were written as refreshes');
      t.same(s.fleet.clusters({ channel: 'fast-4.9' }), [], 'their refresh fell back to the full merge, which took their later poll\'s channel');
    }
  }
  t.ok(refreshed > entries, `most writes were refreshes (${refreshed} as columns, ${entries} as entries)`);
  t.same(dump(s), expected, 'clusters, updates and days seen are the same');
});

t.test('through the writer\'s worker thread, with a failed write in between, the recorder stores what entries store', async (t) => {
  const expected = dump(reference(t));
  const file = path.join(tempTree(t), 'kus.db');
  const s = store(t, file);
  let clock = T0;
  const worker = new WorkerFleetWriter(file);
  let fail = false;
  // The failing write is refused before anything reaches the worker, as a worker that died would refuse it.
  const writer: FleetWriter = {
    record: (batch, refreshes) => (fail ? Promise.reject(new Error('the disk is full')) : worker.record(batch, refreshes)),
    prune: (before) => worker.prune(before),
    close: () => worker.close(),
  };
  const errors: string[] = [];
  const recorder = new FleetRecorder({
    repository: s.fleet, writer, logger: { error: (_obj, msg) => errors.push(msg) }, refreshMs: MINUTE, maxClusters: CLUSTERS * 2, now: () => clock,
  });
  const all = flushes();
  for (const [f, polls] of all.entries()) {
    for (const p of polls) {
      clock = p.at;
      recorder.record(p, p.ua);
    }
    if (f === 6) s.fleet.record(foreign(f));
    clock = T0 + f * MINUTE + 50_000;
    fail = f === 4;
    const written = await recorder.flush();
    if (fail) t.equal(written, 0, 'the failed write wrote nothing');
  }
  // The last flush's clusters, all due only for a refresh at most: stop() writes every held cluster's last poll, which
  // the reference wrote at its last drain too.
  await recorder.stop();
  t.equal(recorder.failedFlushes, 1);
  t.same(errors, ['could not write fleet polls to the store; they wait for the next write']);
  t.same(dump(s), expected, 'clusters, updates and days seen are the same');
});
