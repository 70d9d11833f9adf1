// Store.replaceAll compares a frozen input with the frozen input it wrote last, instead of reading the tables, while
// the change counter says nothing else wrote since (a replica's sync). Random snapshots sharing objects from one to the
// next, with writes through another connection and rolled-back transactions in between: after each, the tables hold
// exactly what a store writing plain copies holds.
import path from 'node:path';
import Database from 'better-sqlite3';
import t, { type Test } from 'tap';
import type { BlockedEdgeDoc, ChannelDoc, ConditionalEdgeDoc, Release } from '../src/graph/index.js';
import { openStore, type GraphInput, type Store } from '../src/store/index.js';
import { tempTree } from './helpers/temp-tree.js';

/** A small deterministic generator (mulberry32), so a failure can be replayed from its seed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

interface State {
  releases: Release[];
  channels: ChannelDoc[];
  blocked: BlockedEdgeDoc[];
  conditional: ConditionalEdgeDoc[];
}

/** The next snapshot: a few objects added, replaced or dropped; every other one the same object as before. */
function next(state: State, rnd: () => number, step: number): State {
  const pick = <T>(list: readonly T[]): number => Math.floor(rnd() * list.length);
  const s: State = { releases: [...state.releases], channels: [...state.channels], blocked: [...state.blocked], conditional: [...state.conditional] };
  const version = (): string => `4.${Math.floor(rnd() * 3)}.${Math.floor(rnd() * 6)}`;
  for (let n = 1 + Math.floor(rnd() * 3); n > 0; n--) {
    const what = rnd();
    if (what < 0.3) {
      const v = version();
      const arch = rnd() < 0.5 ? 'amd64' : 'arm64';
      const release: Release = { version: v, arch, payload: `r.example/x:${step}`, digest: null, metadata: { step: String(step) }, previous: [version()].filter((p) => p !== v), next: [] };
      const at = s.releases.findIndex((r) => r.version === v && r.arch === arch);
      if (at >= 0) s.releases[at] = release;
      else s.releases.push(release);
    } else if (what < 0.4 && s.releases.length > 0) {
      s.releases.splice(pick(s.releases), 1);
    } else if (what < 0.6) {
      const name = `c${Math.floor(rnd() * 4)}`;
      const at = s.channels.findIndex((c) => c.file === `${name}.yaml`);
      const versions = at >= 0 && rnd() < 0.7 ? [...s.channels[at]!.versions, version()] : [version()];
      const channel: ChannelDoc = { file: `${name}.yaml`, name, versions, ...(rnd() < 0.3 ? { extra: { step } } : {}) };
      if (at >= 0) s.channels[at] = channel;
      else s.channels.push(channel);
    } else if (what < 0.65 && s.channels.length > 0) {
      s.channels.splice(pick(s.channels), 1);
    } else if (what < 0.8) {
      // A file name either kind may take, so that a file can turn from a plain block into a risk and back.
      const file = `e${Math.floor(rnd() * 5)}.yaml`;
      s.blocked = s.blocked.filter((e) => e.file !== file);
      s.conditional = s.conditional.filter((e) => e.file !== file);
      if (rnd() < 0.5) s.blocked.push({ file, to: version(), from: `^4[.]${step % 3}[.]` });
      else s.conditional.push({ file, to: version(), from: '.*', risk: { url: 'https://e.x/kb', name: `R${step}`, message: 'm', matchingRules: [{ type: 'Always' }] } });
    } else if (s.blocked.length + s.conditional.length > 0) {
      const file = [...s.blocked, ...s.conditional][pick([...s.blocked, ...s.conditional])]!.file;
      s.blocked = s.blocked.filter((e) => e.file !== file);
      s.conditional = s.conditional.filter((e) => e.file !== file);
    }
  }
  return deepFreeze(s);
}

const inputOf = (s: State): GraphInput => ({
  releases: s.releases,
  graphData: { schemaVersion: '1.0.0', rawMetadata: [], blockedEdges: s.blocked, conditionalEdges: s.conditional, channels: s.channels },
});

/** Every graph-input row, by key; with `times`, created_at and added_at too. */
function tables(file: string, times: boolean): unknown {
  const db = new Database(file, { readonly: true });
  try {
    const all = (sql: string): unknown[] => db.prepare(sql).all();
    return {
      releases: all(`SELECT version, arch, payload, digest, metadata, previous, next${times ? ', created_at' : ''} FROM releases ORDER BY version, arch`),
      channels: all('SELECT file, name, extra FROM channels ORDER BY file'),
      versions: all(`SELECT channel_file, position, version${times ? ', added_at' : ''} FROM channel_versions ORDER BY channel_file, position`),
      blocked: all('SELECT * FROM blocked_edges ORDER BY file'),
      conditional: all('SELECT * FROM conditional_edges ORDER BY file'),
    };
  } finally {
    db.close();
  }
}

/** Writes behind the tested store's back, through another connection to its file. */
function interfere(other: Store, state: State, rnd: () => number): string {
  const what = rnd();
  if (what < 0.35 && state.releases.length > 0) {
    const r = state.releases[Math.floor(rnd() * state.releases.length)]!;
    other.releases.delete(r.version, r.arch);
    return `deleted release ${r.version}+${r.arch}`;
  }
  if (what < 0.6 && state.channels.length > 0) {
    const c = state.channels[Math.floor(rnd() * state.channels.length)]!;
    other.channels.appendVersion(c.file, '9.9.9');
    return `appended to ${c.file}`;
  }
  if (what < 0.8 && state.blocked.length + state.conditional.length > 0) {
    const e = [...state.blocked, ...state.conditional][0]!;
    other.edges.deleteFile(e.file);
    return `deleted edge ${e.file}`;
  }
  other.releases.upsert({ version: '7.7.7', arch: 'amd64', payload: 'r.example/x:other', digest: null, metadata: {}, previous: [], next: [] });
  return 'inserted a release';
}

async function run(t: Test, seed: number, behindItsBack: boolean): Promise<void> {
  const dir = tempTree(t);
  let clock = new Date('2024-01-01T00:00:00Z');
  const now = (): Date => clock;
  const file = path.join(dir, 'tested.db');
  const tested = openStore(file, { now });
  const other = openStore(file, { now });
  const plainFile = path.join(dir, 'plain.db');
  const plain = openStore(plainFile, { now });
  t.teardown(() => {
    tested.close();
    other.close();
    plain.close();
  });
  const rnd = random(seed);
  let state: State = deepFreeze({ releases: [], channels: [], blocked: [], conditional: [] });
  let same = 0;
  for (let step = 0; step < 120; step++) {
    clock = new Date(clock.getTime() + 60_000);
    state = next(state, rnd, step);
    const notes: string[] = [];
    if (behindItsBack && rnd() < 0.2) notes.push(interfere(other, state, rnd));
    if (rnd() < 0.1) {
      // Written in a transaction that then fails: what it wrote is not what the tables hold.
      const abandoned = next(state, rnd, step + 1000);
      t.throws(() => tested.transaction(() => {
        tested.replaceAll(inputOf(abandoned));
        throw new Error('abandoned');
      }), /abandoned/);
      notes.push('a rolled-back write');
    }
    if (rnd() < 0.05 && state.releases.length > 0) {
      t.throws(() => tested.replaceAll({ ...inputOf(state), releases: [...state.releases, state.releases[0]!] }), /UNIQUE/);
      notes.push('a refused duplicate');
    }
    // Now and then a plain copy: compared with what the tables hold, as before.
    tested.replaceAll(rnd() < 0.1 ? structuredClone(inputOf(state)) : inputOf(state));
    plain.replaceAll(structuredClone(inputOf(state)));
    if (JSON.stringify(tables(file, !behindItsBack)) !== JSON.stringify(tables(plainFile, !behindItsBack))) {
      t.same(tables(file, !behindItsBack), tables(plainFile, !behindItsBack), `seed ${seed} step ${step} (${notes.join(', ') || 'no other write'})`);
      return;
    }
    same++;
  }
  t.equal(same, 120, `seed ${seed}: after each of 120 snapshots, the tables as a store writing plain copies holds them`);
}

t.test('snapshots sharing objects: the tables hold what plain copies give, times included', async (t) => {
  for (const seed of [1, 2, 3]) await run(t, seed, false);
});

t.test('with writes through another connection in between, the counter makes the store read its tables again', async (t) => {
  for (const seed of [4, 5, 6]) await run(t, seed, true);
});

t.test('an input that is not frozen is never trusted as written: changed in place after a write, it is written again', async (t) => {
  const file = path.join(tempTree(t), 'kus.db');
  const store = openStore(file);
  t.teardown(() => store.close());
  const rnd = random(7);
  const input = structuredClone(inputOf(next(next(deepFreeze({ releases: [], channels: [], blocked: [], conditional: [] }), rnd, 0), rnd, 1)));
  t.ok(input.releases.length > 0, `${input.releases.length} releases`);
  store.replaceAll(input);
  input.releases[0]!.payload = 'r.example/x:changed-in-place';
  store.replaceAll(input);
  t.same(store.loadGraphInput().releases.find((r) => r.version === input.releases[0]!.version && r.arch === input.releases[0]!.arch)?.payload,
    'r.example/x:changed-in-place');
});

t.test('a rolled-back write is forgotten, even when later writes bring the counter to the value it had', async (t) => {
  const file = path.join(tempTree(t), 'kus.db');
  const store = openStore(file);
  const other = openStore(file);
  t.teardown(() => {
    store.close();
    other.close();
  });
  const release = (version: string, payload: string): Release => ({ version, arch: 'amd64', payload, digest: null, metadata: {}, previous: [], next: [] });
  const a = deepFreeze(inputOf({ releases: [release('4.1.0', 'r.example/x:a')], channels: [], blocked: [], conditional: [] }));
  const b = deepFreeze(inputOf({ releases: [release('4.1.0', 'r.example/x:b')], channels: [], blocked: [], conditional: [] }));
  store.replaceAll(a);
  let abandonedAt = 0;
  t.throws(() => store.transaction(() => {
    store.replaceAll(b);
    abandonedAt = store.graphInputChanges();
    throw new Error('abandoned');
  }), /abandoned/);
  // Another connection's writes move the counter back up to the value it had inside the rolled-back transaction.
  for (let i = 0; store.graphInputChanges() < abandonedAt; i++) other.releases.upsert(release(`9.0.${i}`, 'r.example/x:other'));
  t.equal(store.graphInputChanges(), abandonedAt, 'the counter reads as it did inside the abandoned write');
  store.replaceAll(b);
  t.same(store.loadGraphInput().releases.map((r) => `${r.version} ${r.payload}`), ['4.1.0 r.example/x:b'], 'the tables hold b, and only b');
});
