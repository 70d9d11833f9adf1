// The fleet's table of held clusters (held-clusters.ts) is a hand-written hash table: checked here against a Map over
// long random runs of adds and removals (removals shift later members of a probe run back, the error-prone part),
// with ids chosen to collide in the table, and the UUID parser against the format a cluster sends.
import t from 'tap';
import { formatClusterId, HeldClusters, LAST_SEEN, parseClusterId, VERSION } from '../src/services/fleet/held-clusters.js';

/** A deterministic generator, so a failure names a reproducible run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

t.test('ids parse in either case, format lower-case, and anything else is refused', async (t) => {
  const words = new Int32Array(4);
  for (const id of ['00000000-0000-4000-8000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0']) {
    t.ok(parseClusterId(id, words), `${id} is an id`);
    t.equal(formatClusterId(words, 0), id, `${id} formats back`);
    t.ok(parseClusterId(id.toUpperCase(), words), 'upper case is the same id');
    t.equal(formatClusterId(words, 0), id, 'and formats lower-case');
  }
  for (const bad of [undefined, '', 'not-a-uuid', '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f', '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f00', '0f1e2d3c4b5a-6978-8796-a5b4c3d2e1f0-',
    '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1fg', 'gf1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0', '0f1e2d3c_4b5a-6978-8796-a5b4c3d2e1f0', '{f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
    '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f:', '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f`', '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f@']) {
    t.notOk(parseClusterId(bad, words), `${JSON.stringify(bad)} is not an id`);
  }
});

t.test('random adds and removals agree with a Map, the table full to capacity', async (t) => {
  const capacity = 2000;
  const held = new HeldClusters(capacity);
  const model = new Map<string, number>();
  const next = random(7);
  const words = new Int32Array(4);
  // Ids from a small pool, so that the same ids come back after removal, plus the table's runs grow long at capacity.
  const pool = Array.from({ length: 3000 }, (_, i) => `${hex(Math.floor(next() * 2 ** 32), 8)}-0000-4000-8000-${hex(i, 12)}`);
  let mismatches = 0;
  for (let step = 0; step < 60_000; step++) {
    const id = pool[Math.floor(next() * pool.length)]!;
    parseClusterId(id, words);
    const slot = held.find(words);
    const known = model.get(id);
    if ((slot < 0) !== (known === undefined) || (known !== undefined && held.time(slot, LAST_SEEN) !== known)) mismatches++;
    if (known === undefined && held.size < capacity) {
      const added = held.add(words);
      held.setTime(added, LAST_SEEN, step);
      held.setRef(added, VERSION, `v${step}`);
      model.set(id, step);
    } else if (known !== undefined && next() < 0.5) {
      held.remove(slot);
      model.delete(id);
    }
  }
  t.equal(mismatches, 0, 'every lookup found what the Map holds, with its time');
  t.equal(held.size, model.size, 'the same number of clusters');
  for (const [id, time] of model) {
    parseClusterId(id, words);
    const slot = held.find(words);
    if (slot < 0 || held.id(slot) !== id || held.time(slot, LAST_SEEN) !== time) mismatches++;
  }
  t.equal(mismatches, 0, 'every cluster the Map holds is found at the end, its id formatted back');
  let used = 0;
  for (let slot = 0; slot < capacity; slot++) used += held.used[slot]!;
  t.equal(used, model.size, 'slots in use are the clusters held');
});

t.test('a removed slot is reused clean, and ids differing in one word are different clusters', async (t) => {
  const held = new HeldClusters(4);
  const words = new Int32Array(4);
  const ids = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', '00000001-0000-4000-8000-000000000001', '00000000-0001-4000-8000-000000000001'];
  for (const id of ids) {
    parseClusterId(id, words);
    const slot = held.add(words);
    held.setRef(slot, VERSION, id);
  }
  t.equal(held.size, 4, 'full');
  for (const id of ids) {
    parseClusterId(id, words);
    t.equal(held.ref(held.find(words), VERSION), id, `${id} finds its own slot`);
  }
  parseClusterId(ids[1]!, words);
  const freed = held.find(words);
  held.remove(freed);
  t.equal(held.find(words), -1, 'removed');
  parseClusterId('ffffffff-0000-4000-8000-000000000009', words);
  const reused = held.add(words);
  t.equal(reused, freed, 'the freed slot is reused');
  t.equal(held.ref(reused, VERSION), null, 'with no string of the cluster before');
  t.equal(held.time(reused, LAST_SEEN), 0, 'and no time');
});
