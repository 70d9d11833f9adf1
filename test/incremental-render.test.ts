// The build worker renders only the bodies whose content digest changed (GraphViews.bodyDigest). Proven here on many
// random writes through the real worker and a real SQLite store: after every write the served bodies are byte for
// byte those of a full in-thread build and render of the stored input, a body whose bytes did not change is the very
// same served object (same ETags, same gzip bytes), a refused write and a failed rebuild leave the served generation
// as it was, and a fresh worker (after the idle one exited) or a compacted one (the idle one let go of its builds)
// still gets it right.
import path from 'node:path';
import t, { type Test } from 'tap';
import { buildGraph, GraphViews } from '../src/graph/index.js';
import { GraphBuilder } from '../src/services/graph-builder.js';
import { GraphCache, Variant, type ServedBody } from '../src/services/graph-cache.js';
import { Publisher } from '../src/services/publisher.js';
import { openStore, type Store } from '../src/store/index.js';
import { actor, randomWrite, rng, seedStore } from './helpers/random-writes.js';
import { tempTree } from './helpers/temp-tree.js';

const silent = { info() {}, warn() {}, error() {} };
/** Every (arch, channel) body of a full in-thread build and render of what the store holds now. */
function fullRender(store: Store): Map<string, { status: number; text: string }> {
  const views = new GraphViews(buildGraph(store.loadGraphInput()).graph);
  const out = new Map<string, { status: number; text: string }>();
  for (const channel of views.channels()) {
    for (const arch of views.archesOf(channel)) {
      const error = views.renderError(channel, arch);
      out.set(`${arch} ${channel}`, error ? { status: error.status, text: JSON.stringify(error.toBody()) } : { status: 200, text: views.renderText(channel, arch) });
    }
  }
  return out;
}

function servedBodies(graphs: GraphCache): Map<string, ServedBody> {
  const out = new Map<string, ServedBody>();
  for (const [arch, byChannel] of graphs.snapshot?.bodies ?? []) for (const [channel, body] of byChannel) out.set(`${arch} ${channel}`, body);
  return out;
}

/** A seeded store on a real file, served through a GraphCache by a real build worker (idle times as GraphBuilder's). */
async function servedStore(t: Test, idle: { idleMs?: number; exitMs?: number }): Promise<{ store: Store; graphs: GraphCache; builder: GraphBuilder }> {
  const file = path.join(tempTree(t), 'kus.db');
  seedStore(file);
  const store = openStore(file);
  t.teardown(() => store.close());
  const graphs = new GraphCache({ load: () => store.loadGraphInput(), logger: silent, warmUp: false });
  const builder = new GraphBuilder({ storeFile: file, graphs, logger: silent, ...idle });
  t.teardown(() => builder.close());
  t.equal((await builder.rebuild()).ok, true, 'the first build');
  return { store, graphs, builder };
}

t.test('incremental rendering serves exactly what a full build renders, over many random writes', { timeout: 600_000 }, async (t) => {
  const { store, graphs, builder } = await servedStore(t, { exitMs: 50 });

  // A body a write does not touch keeps its ETag; the one it touches gets a new one.
  const etag = graphs.lookup('stable-4.1', 'amd64').etag(Variant.VndGzip);
  const touched = graphs.lookup('fast-4.2', 'amd64').etag(Variant.VndGzip);
  await builder.write('addToChannel', [actor, 'fast-4.2', '4.1.11']);
  t.equal(graphs.lookup('stable-4.1', 'amd64').etag(Variant.VndGzip), etag, 'stable-4.1/amd64 keeps its ETag across a write to fast-4.2');
  t.not(graphs.lookup('fast-4.2', 'amd64').etag(Variant.VndGzip), touched, 'fast-4.2/amd64 has a new ETag');

  const random = rng(20261204);
  let previous = fullRender(store);
  let bodies = servedBodies(graphs);
  const seen = { written: 0, refused: 0, kept: 0, changed: 0, restarts: 0, mismatches: 0 };
  for (let step = 0; step < 150; step++) {
    if (step % 25 === 24) {
      // Let the idle worker exit: the next one starts with no state but the digests the serving thread sends.
      for (let i = 0; i < 500 && builder.running; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      if (!builder.running) seen.restarts++;
    }
    const [method, args] = randomWrite(random, store, step, undefined, { rollouts: false });
    const before = graphs.snapshot;
    let refused = false;
    try {
      await builder.write(method, args);
      seen.written++;
    } catch {
      refused = true;
      seen.refused++;
    }
    if (refused) t.equal(graphs.snapshot, before, `step ${step}: refused ${method} left the served generation as it was`);

    const expected = fullRender(store);
    const served = servedBodies(graphs);
    t.same([...served.keys()].sort(), [...expected.keys()].sort(), `step ${step} (${method}): the same bodies`);
    for (const [key, want] of expected) {
      const body = served.get(key);
      if (body === undefined) continue;
      if (body.status !== want.status || body.plain.toString() !== want.text) {
        seen.mismatches++;
        t.fail(`step ${step} (${method}): ${key} differs from a full build`);
      }
      // A body whose bytes did not change is the very object served before: same ETags, same gzip bytes.
      if (previous.get(key)?.text === want.text && bodies.has(key)) {
        seen.kept++;
        if (body !== bodies.get(key)) t.fail(`step ${step} (${method}): ${key} is unchanged but was replaced`);
      } else {
        seen.changed++;
      }
    }
    previous = expected;
    bodies = served;
  }
  t.equal(seen.mismatches, 0, 'no served body ever differed from a full build');
  t.ok(seen.written >= 100 && seen.refused > 0, `writes stored (${seen.written}) and refused (${seen.refused})`);
  t.ok(seen.kept > seen.changed, `most bodies kept across writes (${seen.kept} kept, ${seen.changed} changed)`);
  t.ok(seen.restarts > 0, `the worker restarted between writes (${seen.restarts} times)`);

  // A rebuild that fails (a stored label that is not SemVer) keeps the last good generation.
  const good = graphs.snapshot;
  const input = store.loadGraphInput();
  const broken = input.releases.map((r, i) => (i === 0 ? { ...r, metadata: { ...r.metadata, 'io.openshift.upgrades.graph.previous.add': 'not semver' } } : r));
  store.replaceAll({ releases: broken, graphData: input.graphData });
  const failed = await builder.rebuild();
  t.equal(failed.ok, false, 'the rebuild failed');
  t.equal(graphs.snapshot, good, 'the last good generation is still served');
  t.equal(graphs.stats().failures, 1);
  store.replaceAll(input);
  t.equal((await builder.rebuild()).ok, true, 'a rebuild after the fix succeeds');
  const expected = fullRender(store);
  for (const [k, want] of expected) {
    const [a, c] = k.split(' ') as [string, string];
    t.equal(graphs.lookup(c, a).plain.toString(), want.text, `${k} after recovery`);
  }
});

t.test('a Publisher in this thread and the worker agree on the first write after a restart', async (t) => {
  // The digests the serving thread sends name bodies of the generation it holds: a generation installed by another
  // path (an in-thread rebuild) has none, and the worker then renders and compares by hash.
  const file = path.join(tempTree(t), 'kus.db');
  seedStore(file);
  const store = openStore(file);
  t.teardown(() => store.close());
  const graphs = new GraphCache({ load: () => store.loadGraphInput(), logger: silent, warmUp: false });
  const builder = new GraphBuilder({ storeFile: file, graphs, logger: silent });
  t.teardown(() => builder.close());
  t.equal((await builder.rebuild()).ok, true);
  t.equal(graphs.rebuild().ok, true, 'an in-thread rebuild replaced the generation');
  new Publisher({ store, rebuild: () => undefined }).createChannel(actor, 'side-4.1');
  await builder.write('addToChannel', [actor, 'stable-4.1', '4.1.10']);
  const expected = fullRender(store);
  for (const [k, want] of expected) {
    const [a, c] = k.split(' ') as [string, string];
    t.equal(graphs.lookup(c, a).plain.toString(), want.text, `${k} equals a full build`);
  }
});

/**
 * Random writes, each to a worker with no build of its own, one in six after a write behind the server's back: after
 * each, every served body equals a full build; the worker built only the architectures a write changed, and every
 * architecture after a write it had not heard of. `ready` waits until the worker has let go of its builds and says
 * whether it did.
 */
async function writesToWorkersWithoutBuilds(t: Test, store: Store, graphs: GraphCache, builder: GraphBuilder, steps: number, ready: () => Promise<boolean>) {
  // Writes the serving thread never hears of: the next worker must not take the served parts for the store's.
  const behindItsBack = new Publisher({ store, rebuild: () => undefined });

  const random = rng(20261207);
  const seen = { written: 0, ready: 0, partial: 0, external: 0, externalWhole: 0, mismatches: 0 };
  for (let step = 0; step < steps; step++) {
    if (await ready()) seen.ready++;
    const external = step % 6 === 5;
    if (external) {
      const [method, args] = randomWrite(random, store, step, undefined, { rollouts: false });
      try {
        (behindItsBack[method] as (...a: unknown[]) => unknown).apply(behindItsBack, args);
        seen.external++;
      } catch {
        // refused: nothing changed behind its back
      }
    }
    const [method, args] = randomWrite(random, store, step, undefined, { rollouts: false });
    try {
      await builder.write(method, args);
      seen.written++;
    } catch {
      continue;
    }
    const parts = builder.lastParts;
    if (parts !== undefined && parts.built < parts.total) seen.partial++;
    if (external && parts !== undefined && parts.built === parts.total) seen.externalWhole++;
    const expected = fullRender(store);
    const served = servedBodies(graphs);
    t.same([...served.keys()].sort(), [...expected.keys()].sort(), `step ${step} (${method}): the same bodies`);
    for (const [key, want] of expected) {
      const body = served.get(key);
      if (body !== undefined && (body.status !== want.status || body.plain.toString() !== want.text)) {
        seen.mismatches++;
        t.fail(`step ${step} (${method}): ${key} differs from a full build`);
      }
    }
  }
  t.equal(seen.mismatches, 0, 'no served body ever differed from a full build');
  // The bounds as fractions of the steps, each the one 48 steps had (40, 30, 10 and 4).
  t.ok(seen.ready >= (steps * 5) / 6 && seen.written >= (steps * 5) / 8, `writes (${seen.written}), each to a worker without builds (${seen.ready})`);
  t.ok(seen.partial >= (steps * 5) / 24, `writes that built only some architectures (${seen.partial} of ${seen.written})`);
  t.ok(seen.external >= steps / 12 && seen.externalWhole >= seen.external - 1,
    `after a write behind the server's back the next write built every part (${seen.externalWhole} of ${seen.external})`);
}

t.test('a worker started afresh takes the served parts over unbuilt and builds only what a write changes', { timeout: 600_000 }, async (t) => {
  const { store, graphs, builder } = await servedStore(t, { exitMs: 1 });
  // Fewer steps than the compacted worker's below: each starts a worker, whose modules tap's loader compiles anew
  // (~1.5 s; a built worker starts and writes in ~150 ms).
  await writesToWorkersWithoutBuilds(t, store, graphs, builder, 30, async () => {
    for (let i = 0; i < 500 && builder.running; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    return !builder.running;
  });
});

t.test('an idle worker lets go of its builds, keeps its thread, and then builds only what a write changes', { timeout: 600_000 }, async (t) => {
  const { store, graphs, builder } = await servedStore(t, { idleMs: 1, exitMs: 600_000 });
  const thread = builder.threadId;
  let compactions = 0;
  let released = 0;
  await writesToWorkersWithoutBuilds(t, store, graphs, builder, 48, async () => {
    const before = builder.lastCompaction;
    for (let i = 0; i < 500 && builder.lastCompaction === before; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    const after = builder.lastCompaction;
    if (after === before || after === undefined) return false;
    compactions++;
    if (after.usedAfter < after.usedBefore) released++;
    return true;
  });
  t.equal(builder.threadId, thread, 'one worker thread served every write');
  // A write that stored nothing leaves nothing more to let go of, so not every compaction need shrink the live heap.
  t.ok(compactions >= 40 && released >= 40, `compactions made the live heap smaller (${released} of ${compactions})`);
});
