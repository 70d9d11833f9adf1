// The fleet writer's thread runs only while there is something to write: none before the first write, gone after
// idleMs without one, started again by the next write, and nothing written or held open is lost across that.
import t, { type Test } from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { WorkerFleetWriter, type FleetPollBatchEntry } from '../src/services/fleet/index.js';
import { openStore, type Store } from '../src/store/index.js';
import { tempTree } from './helpers/temp-tree.js';

const IDLE_MS = 150;
const T0 = Date.UTC(2026, 11, 6, 10, 0);
const uuid = (n: number): string => `0000abcd-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

const entry = (n: number, at: number, version: string): FleetPollBatchEntry => ({
  id: uuid(n), firstSeen: at, lastSeen: at, version, firstVersion: version, channel: 'stable-4.9', arch: 'amd64', userAgent: 'CVO/4.9', changes: [],
});

/** Whether the writer's thread exits within 5 s. */
async function exited(writer: WorkerFleetWriter): Promise<boolean> {
  for (const deadline = Date.now() + 5000; Date.now() < deadline;) {
    if (!writer.running) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

/** Open descriptors of this process on the store's files (the database, its WAL and shared memory). */
function storeDescriptors(file: string): number {
  let n = 0;
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      if (fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith(file)) n++;
    } catch {
      // The descriptor readdir itself used is gone by now.
    }
  }
  return n;
}

/** A new store, and a writer on it whose thread exits after idleMs; both closed at teardown. */
function storeAndWriter(t: Test, idleMs = IDLE_MS): { file: string; store: Store; writer: WorkerFleetWriter } {
  const file = path.join(tempTree(t), 'kus.db');
  const store = openStore(file);
  t.teardown(() => store.close());
  const writer = new WorkerFleetWriter(file, idleMs);
  t.teardown(() => writer.close());
  return { file, store, writer };
}

t.test('the thread starts with the first write, exits when idle, and starts again for the next', async (t) => {
  const { file, store, writer } = storeAndWriter(t);

  t.equal(writer.running, false, 'no thread before any write');
  t.equal(writer.started, 0);
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS * 2));
  t.equal(writer.started, 0, 'waiting starts none');

  await writer.record([entry(1, T0, '4.9.15'), entry(2, T0, '4.9.15')]);
  t.equal(writer.started, 1, 'the first write started a thread');
  t.same(store.fleet.clusters({}).map((c) => [c.id, c.version]), [[uuid(1), '4.9.15'], [uuid(2), '4.9.15']], 'its batch is committed');
  const held = storeDescriptors(file);

  t.ok(await exited(writer), `the thread exited after ${IDLE_MS} ms without a write`);
  t.equal(writer.started, 1);

  // A version change after the thread went: the next thread merges it with the row the first one wrote.
  await writer.record([{ ...entry(1, T0 + 60_000, '4.9.16'), firstVersion: '4.9.15', changes: [{ from: '4.9.15', to: '4.9.16', at: T0 + 60_000 }] }]);
  t.equal(writer.started, 2, 'the next write started a new thread');
  const after = store.fleet.clusters({}).find((c) => c.id === uuid(1));
  t.equal(after?.version, '4.9.16', 'the second thread wrote over the first one\'s row');
  t.same(store.fleet.updates(0).map((u) => [u.from, u.to]), [['4.9.15', '4.9.16']], 'and recorded the update');

  t.ok(await exited(writer), 'the second thread exited too');
  t.equal(await writer.prune(T0 + 30_000), 1, 'a prune starts a thread as well: it dropped the cluster last seen before');
  t.equal(writer.started, 3);
  t.ok(await exited(writer), 'and it exited');

  // Every thread closed its connection as it went: cycling more of them leaves no descriptor on the store behind.
  for (let i = 0; i < 2; i++) {
    await writer.record([entry(10 + i, T0 + 120_000, '4.9.16')]);
    t.ok(await exited(writer), `cycle ${i + 1}: the thread exited`);
  }
  t.ok(storeDescriptors(file) <= held, `no descriptors left open on the store (${storeDescriptors(file)}, ${held} while the first thread ran)`);
  t.equal(store.fleet.clusters({}).length, 3, 'the two cycles\' clusters are stored with the one left');
});

t.test('writes closer together than idleMs keep one thread: it exits only once idleMs passed after the last answer', async (t) => {
  // A longer idle time than the other tests', so that a loaded machine's late timers cannot pass for an idle period.
  const idleMs = 1000;
  const gapMs = 100;
  const { store, writer } = storeAndWriter(t, idleMs);

  await writer.record([entry(0, T0, '4.9.15')]);
  const started = Date.now();
  let writes = 1;
  while (Date.now() - started <= idleMs * 2) {
    await new Promise((resolve) => setTimeout(resolve, gapMs));
    t.ok(writer.running, `write ${writes + 1}: the thread is still there`);
    await writer.record([entry(writes, T0 + writes, '4.9.15')]);
    writes++;
  }
  t.equal(writer.started, 1, `${writes} writes over more than two idle periods, one thread`);
  t.equal(store.fleet.clusters({}).length, writes, 'every write is committed');
  t.ok(await exited(writer), 'it exits once the writes stop');
});

t.test('close() with no thread running returns at once and starts none', async (t) => {
  const file = path.join(tempTree(t), 'kus.db');
  openStore(file).close();
  const writer = new WorkerFleetWriter(file, IDLE_MS);
  await writer.close();
  t.equal(writer.started, 0);
  t.equal(writer.running, false);
});
