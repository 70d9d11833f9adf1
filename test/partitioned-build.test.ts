// Builds by architecture with reuse (graph/partitioned-build.ts) and the build worker's held input
// (services/warm-graph.ts), checked against a whole build of what the store holds after every one of many random
// writes on a real SQLite store, some of them made by another connection behind the held copy's back.
import { createHash } from 'node:crypto';
import path from 'node:path';
import t from 'tap';
import { buildByArch, buildGraph, deferredBuild, GraphViews, KEY, type BuildResult, type Graph, type Release } from '../src/graph/index.js';
import { Publisher } from '../src/services/publisher.js';
import { WarmGraph } from '../src/services/warm-graph.js';
import { openStore, type GraphInput } from '../src/store/index.js';
import { actor, randomWrite, rng, seedStore } from './helpers/random-writes.js';
import { tempTree } from './helpers/temp-tree.js';

const ARCHES = ['amd64', 'arm64', 's390x'];

/** Everything a build gives that anyone reads, in an order-free form: nodes, edges, conditional pairs, bodies, warnings. */
function described(built: BuildResult): Record<string, unknown> {
  const g: Graph = built.graph;
  const nodes = [...g.nodes.values()]
    .map((n) => `${n.version} ${n.concrete} ${n.payload} ${JSON.stringify([...n.metadata].sort((a, b) => (a[0] < b[0] ? -1 : 1)))}`)
    .sort();
  const edges = [...g.edges()].map(([a, b]) => `${a} > ${b}`).sort();
  const conditional = g.conditional.flatMap((c) => c.edges.map((e) => `${e.from} > ${e.to} ${JSON.stringify(c.risks)}`)).sort();
  const views = new GraphViews(g);
  const bodies: string[] = [];
  for (const channel of views.channels()) {
    for (const arch of views.archesOf(channel)) bodies.push(`${channel} ${arch} ${views.renderError(channel, arch) ? 'error' : views.renderText(channel, arch)}`);
  }
  const warnings = [...new Set(built.warnings.map((w) => `${w.step}: ${w.message}`))].sort();
  return { nodes, edges, conditional, bodies, warnings, rollouts: built.rollouts, canaries: built.canaries };
}

/**
 * The input with its lists in one order: a write lists what it adds last, the store reads in file-name order. The
 * order of releases and channels changes nothing built; that of edge files does, and the whole-build comparison shows it.
 */
function canonical(input: GraphInput): string {
  const sorted = <T>(xs: readonly T[], key: (x: T) => string): T[] => [...xs].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  // A write may leave an empty list where the store reads none back: both mean none.
  const { rollouts, canaries, ...graphData } = input.graphData;
  return JSON.stringify({
    releases: sorted(input.releases, (r: Release) => `${r.version}+${r.arch}`),
    graphData: {
      ...graphData,
      channels: sorted(graphData.channels, (c) => c.file),
      blockedEdges: sorted(graphData.blockedEdges, (e) => e.file),
      conditionalEdges: sorted(graphData.conditionalEdges, (e) => e.file),
      ...(rollouts?.length ? { rollouts: sorted(rollouts, (r) => `${r.channel} ${r.version}`) } : {}),
      ...(canaries?.length ? { canaries: sorted(canaries, (c) => c.channel) } : {}),
    },
  });
}

t.test('a build by architecture with reuse equals a whole build after every random write', { timeout: 600_000 }, async (t) => {
  const file = path.join(tempTree(t), 'kus.db');
  seedStore(file, ARCHES);
  const store = openStore(file);
  const other = openStore(file);
  t.teardown(() => {
    store.close();
    other.close();
  });
  let last: BuildResult | undefined;
  const warm = new WarmGraph(store);
  const publisher = new Publisher({ store, inputs: warm, rebuild: (built) => (last = built) });
  const behindItsBack = new Publisher({ store: other, rebuild: () => undefined });
  t.equal(warm.rebuild().reused.size, 0, 'the first build reuses nothing');

  const random = rng(20261205);
  const seen = { written: 0, refused: 0, external: 0, mismatches: 0, reusedSome: 0, releaseAdds: 0, reusedByReleaseAdds: 0, compared: 0 };
  for (let step = 0; step < 200; step++) {
    const external = step % 17 === 16;
    const [method, args] = randomWrite(random, store, step, ARCHES);
    const write = (external ? behindItsBack : publisher)[method] as (...a: unknown[]) => unknown;
    last = undefined;
    try {
      write.apply(external ? behindItsBack : publisher, args);
      if (external) seen.external++;
      else seen.written++;
    } catch {
      seen.refused++;
      continue;
    }
    if (external || last === undefined) continue;
    const byArch = last as ReturnType<typeof buildByArch>;
    if (byArch.reused.size > 0) seen.reusedSome++;
    if (method === 'addRelease') {
      seen.releaseAdds++;
      seen.reusedByReleaseAdds += byArch.reused.size;
    }

    const stored = store.loadGraphInput();
    const held = store.transaction(() => warm.current());
    seen.compared++;
    if (canonical(held) !== canonical(stored)) {
      seen.mismatches++;
      t.same(JSON.parse(canonical(held)), JSON.parse(canonical(stored)), `step ${step} (${method}): the held input differs from what the store holds`);
    }
    const want = described(buildGraph(stored));
    const got = described(byArch);
    for (const part of Object.keys(want)) {
      if (JSON.stringify(got[part]) !== JSON.stringify(want[part])) {
        seen.mismatches++;
        t.same(got[part], want[part], `step ${step} (${method}): ${part} equal a whole build`);
      }
    }
  }
  t.equal(seen.mismatches, 0, 'no build differed from a whole build, and the held input never differed from the store');
  t.ok(seen.written >= 120 && seen.refused > 0 && seen.external >= 10, `writes made (${seen.written}), refused (${seen.refused}), behind its back (${seen.external})`);
  t.ok(seen.reusedSome > seen.written / 2, `most writes reused some architecture (${seen.reusedSome} of ${seen.written})`);
  // A new release changes its own architecture's part only (its version is new to the others' channels too).
  t.ok(seen.reusedByReleaseAdds >= 1.5 * seen.releaseAdds,
    `a release added reused ${(seen.reusedByReleaseAdds / seen.releaseAdds).toFixed(2)} of the other ${ARCHES.length - 1} architectures on average (${seen.releaseAdds} adds)`);
  const heldForWrites = warm.counts.held - seen.compared;
  t.ok(warm.counts.read >= seen.external && heldForWrites > warm.counts.read,
    `the held input answered most writes (${heldForWrites}) and every write behind its back sent it to the store (${warm.counts.read} reads)`);
});

t.test('input that does not split by architecture is built whole', async (t) => {
  const release = (version: string, arch: string | null, previous: string[] = []): Release => ({
    version, arch, payload: `quay.example/r@sha256:${version.replace(/\D/g, '').padStart(64, '0')}`, digest: null, metadata: {}, previous, next: [],
  });
  const graphData = { schemaVersion: '1.0.0', rawMetadata: [] as Array<[string, Record<string, string>]>, blockedEdges: [], conditionalEdges: [], channels: [{ file: 'a-1.yaml', name: 'a-1', versions: ['1.0.0', '1.0.1'] }] };
  const legacy = buildByArch({ releases: [release('1.0.0', null), release('1.0.1', null, ['1.0.0']), release('1.0.1', 'amd64')], graphData });
  t.equal(legacy.basis, undefined, 'a release without an architecture: built whole');
  t.same(described(legacy), described(buildGraph({ releases: [release('1.0.0', null), release('1.0.1', null, ['1.0.0']), release('1.0.1', 'amd64')], graphData })));

  const archByMetadata = { ...graphData, rawMetadata: [['1.0.0', { [KEY.arch]: 'arm64' }]] as Array<[string, Record<string, string>]> };
  const relabelled = buildByArch({ releases: [release('1.0.0', 'amd64'), release('1.0.1', 'amd64', ['1.0.0'])], graphData: archByMetadata });
  t.equal(relabelled.basis, undefined, 'raw metadata that sets an architecture: built whole');

  const split = buildByArch({ releases: [release('1.0.0', 'amd64'), release('1.0.1', 'amd64', ['1.0.0']), release('1.0.0', 'arm64')], graphData });
  t.not(split.basis, undefined, 'releases that all have an architecture: built by parts');
  const again = buildByArch({ releases: [release('1.0.0', 'amd64'), release('1.0.1', 'amd64', ['1.0.0']), release('1.0.0', 'arm64'), release('1.0.1', 'arm64')], graphData }, split);
  t.same([...again.reused], ['amd64'], 'a new arm64 release reuses the amd64 part (content-equal releases count as the same)');
  t.same(described(again), described(buildGraph({ releases: [release('1.0.0', 'amd64'), release('1.0.1', 'amd64', ['1.0.0']), release('1.0.0', 'arm64'), release('1.0.1', 'arm64')], graphData })));
  const renamed = buildByArch({ releases: [release('1.0.0', 'amd64'), release('1.0.1', 'amd64', ['1.0.0'])], graphData: { ...graphData, channels: [{ file: 'a-1.yaml', name: 'b-1', versions: ['1.0.0'] }] } }, split);
  t.equal(renamed.reused.size, 0, 'a renamed channel rebuilds every part');
});

t.test('a deferred build builds a part only when it is read; a write on it builds only the parts it changes', async (t) => {
  const release = (version: string, arch: string, previous: string[] = []): Release => ({
    version, arch, payload: `quay.example/r@sha256:${version.replace(/\D/g, '').padStart(64, '0')}`, digest: null, metadata: {}, previous, next: [],
  });
  const graphData = {
    schemaVersion: '1.0.0', rawMetadata: [] as Array<[string, Record<string, string>]>, blockedEdges: [], conditionalEdges: [],
    channels: [{ file: 'a-1.yaml', name: 'a-1', versions: ['1.0.0', '1.0.1', '1.0.2', 'not-semver'] }],
  };
  const releases = [release('1.0.0', 'amd64'), release('1.0.1', 'amd64', ['1.0.0']), release('1.0.0', 'arm64')];
  const whole = buildByArch({ releases, graphData });
  const seeds = new Map([...whole.basis!.parts].map(([arch, part]) => [arch, { warnings: part.warnings, concrete: part.concrete }]));
  const deferred = deferredBuild({ releases, graphData }, seeds)!;
  t.ok([...deferred.basis!.parts.values()].every((p) => p.built === undefined), 'no part is built until read');
  t.same(deferred.warnings, whole.warnings, 'the seeds stand in for the warnings (a channel file with a bad entry)');
  t.ok(deferred.warnings.length > 0);

  const more = [...releases, release('1.0.1', 'arm64', ['1.0.0'])];
  const next = buildByArch({ releases: more, graphData }, deferred);
  t.same([...next.reused], ['amd64'], 'a new arm64 release takes the amd64 part over');
  t.equal(next.basis!.parts.get('amd64')!.built, undefined, 'still unbuilt');
  t.not(next.basis!.parts.get('arm64')!.built, undefined, 'the arm64 part is built');
  t.same(described(next), described(buildGraph({ releases: more, graphData })), 'and, once read, the whole equals a whole build');
  t.not(next.basis!.parts.get('amd64')!.built, undefined, 'reading it built the amd64 part');

  t.equal(deferredBuild({ releases: [...releases, release('1.0.0', 's390x')], graphData }, seeds), undefined, 'an architecture the seeds lack: no deferred build');
  t.equal(deferredBuild({ releases: [release('1.0.0', null as unknown as string)], graphData }, seeds), undefined, 'input that does not split: none');
});

t.test('a compacted WarmGraph keeps the input it holds and stands the served parts in deferred, unless the store moved', async (t) => {
  const file = path.join(tempTree(t), 'kus.db');
  seedStore(file);
  const store = openStore(file);
  t.teardown(() => store.close());
  const warm = new WarmGraph(store);
  const built = warm.rebuild();
  const served = warm.servedInput(built);
  t.ok(served, 'the whole build is what a server would serve');
  warm.serving(served);

  warm.compact();
  const reads = warm.counts.read;
  const input = store.transaction(() => warm.current());
  t.equal(warm.counts.read, reads, 'the held input answered: the store was not read');
  t.equal(warm.counts.deferred, 1, 'the served parts stand in deferred');
  const more = { ...input, releases: [...input.releases, { ...input.releases.find((r) => r.arch === 'arm64')!, version: '4.9.99', payload: `quay.example/r@sha256:${'9'.repeat(64)}` }] };
  const next = warm.build(more);
  t.ok(next.reused.size > 0 && !next.reused.has('arm64'), `a new arm64 release builds arm64 only (took over ${[...next.reused].join(', ')})`);
  // Step A of each part outlives the compaction: the arm64 build extended the rebuild's (edge sets shared, not made again).
  const keptStepA = built.basis!.parts.get('arm64')!.stepA!;
  // A node with parents: every empty edge set is the same frozen array, in whole and extended builds alike.
  const old = [...keptStepA.graph.parents].find(([, parents]) => [...parents].length > 0)![0];
  const nextStepA = next.basis!.parts.get('arm64')!.stepA!;
  t.equal(nextStepA.graph.parents.get(old), keptStepA.graph.parents.get(old), 'the write extended the step A the compaction kept');
  t.equal(nextStepA.graph.nodes.size, keptStepA.graph.nodes.size + 1, 'by the new release');

  warm.compact();
  new Publisher({ store, rebuild: () => undefined }).createChannel(actor, 'behind-its-back');
  const after = store.transaction(() => warm.current());
  t.equal(warm.counts.read, reads + 1, 'a write behind its back: the store is read again');
  t.equal(warm.counts.deferred, 1, 'and the served parts, now stale, do not stand in');
  const rebuilt = warm.build(after);
  t.same(rebuilt.reused.size, 0, 'the next build builds every architecture');
  t.not(rebuilt.basis!.parts.get('arm64')!.stepA!.graph.parents.get(old), nextStepA.graph.parents.get(old), 'from releases read again: step A made whole');
});

t.test('the store counts every change to the graph input, from any connection, and nothing else', async (t) => {
  const file = path.join(tempTree(t), 'kus.db');
  seedStore(file);
  const store = openStore(file);
  const other = openStore(file);
  t.teardown(() => {
    store.close();
    other.close();
  });
  const moved = (what: string, fn: () => unknown, expected = true): void => {
    const before = store.graphInputChanges();
    fn();
    t.equal(store.graphInputChanges() !== before, expected, `${what} ${expected ? 'moves' : 'does not move'} the counter`);
  };
  const publisher = new Publisher({ store: other, rebuild: () => undefined });
  moved('a release added by another connection', () => publisher.addRelease(actor, { version: '4.1.50', arch: 'amd64', payload: `quay.example/r@sha256:${'e'.repeat(64)}` }));
  moved('a channel created', () => publisher.createChannel(actor, 'extra-4.1'));
  moved('a version added to a channel', () => publisher.addToChannel(actor, 'extra-4.1', '4.1.50'));
  moved('a blocked edge', () => publisher.blockEdge(actor, { to: '4.1.50', from: '^4[.]1[.]3[+]amd64$' }));
  moved('raw metadata', () => publisher.setRawMetadata(actor, '4.1.50', 'note', 'x'));
  moved('a rollout', () => publisher.startRollout(actor, { channel: 'extra-4.1', version: '4.1.50', duration: '1h' }, Date.now()));
  moved('the graph-data schema version', () => other.meta.set('graph_data.schema_version', '1.1.0'));
  moved('a refused write', () => t.throws(() => publisher.addToChannel(actor, 'no-such-channel', '4.1.50')), false);
  moved('an audit row', () => other.transaction(() => other.audit.append({ actor: 'x', action: 'y', target: 'z', before: null, after: null })), false);
  moved('a token', () => other.tokens.create({ name: 'ci', hash: 'h'.repeat(64), createdAt: new Date().toISOString(), scope: 'viewer' }), false);
});

t.test('views of a rebuilt part adopt the digests of unchanged nodes, and a digest kept always means the same body', { timeout: 600_000 }, async (t) => {
  const file = path.join(tempTree(t), 'kus.db');
  seedStore(file, ARCHES);
  const store = openStore(file);
  t.teardown(() => store.close());
  let last: ReturnType<typeof buildByArch> | undefined;
  const warm = new WarmGraph(store);
  const publisher = new Publisher({ store, inputs: warm, rebuild: (built) => (last = built as ReturnType<typeof buildByArch>) });
  let calls = 0;
  const digest = (text: string): string => {
    calls++;
    return createHash('sha256').update(text).digest('base64');
  };
  const allBodies = (views: GraphViews): Map<string, { digest: string; text: string }> => {
    const out = new Map<string, { digest: string; text: string }>();
    for (const channel of views.channels()) {
      for (const arch of views.archesOf(channel)) {
        out.set(`${arch} ${channel}`, { digest: views.bodyDigest(channel, arch, digest), text: views.renderError(channel, arch) ? 'error' : views.renderText(channel, arch) });
      }
    }
    return out;
  };
  let before = new Map<string, { views: GraphViews; bodies: Map<string, { digest: string; text: string }> }>();
  for (const [arch, part] of warm.rebuild().basis!.parts) {
    const views = new GraphViews(part.graph);
    before.set(arch, { views, bodies: allBodies(views) });
  }
  const random = rng(20261206);
  const seen = { parts: 0, kept: 0, changed: 0, wrongKept: 0, notFresh: 0, adoptedCalls: 0, freshCalls: 0 };
  for (let step = 0; step < 120; step++) {
    const [method, args] = randomWrite(random, store, step, ARCHES);
    last = undefined;
    try {
      (publisher[method] as (...a: unknown[]) => unknown).apply(publisher, args);
    } catch {
      continue;
    }
    const built = last as ReturnType<typeof buildByArch> | undefined;
    if (built?.basis === undefined) continue;
    const after = new Map<string, { views: GraphViews; bodies: Map<string, { digest: string; text: string }> }>();
    for (const [arch, part] of built.basis.parts) {
      const old = before.get(arch);
      if (built.reused.has(arch) && old !== undefined) {
        after.set(arch, old);
        continue;
      }
      seen.parts++;
      const views = new GraphViews(part.graph);
      if (old !== undefined) views.adoptDigests(old.views);
      calls = 0;
      const bodies = allBodies(views);
      seen.adoptedCalls += calls;
      calls = 0;
      const fresh = allBodies(new GraphViews(part.graph));
      seen.freshCalls += calls;
      for (const [key, body] of bodies) {
        if (fresh.get(key)!.digest !== body.digest) seen.notFresh++;
        const was = old?.bodies.get(key);
        if (was === undefined) continue;
        if (was.digest === body.digest) {
          seen.kept++;
          if (was.text !== body.text) {
            seen.wrongKept++;
            t.fail(`step ${step} (${method}): ${key} kept its digest but its body changed`);
          }
        } else seen.changed++;
      }
      after.set(arch, { views, bodies });
    }
    before = after;
  }
  t.equal(seen.wrongKept, 0, `no kept digest stood for a changed body (${seen.kept} kept, ${seen.changed} changed, over ${seen.parts} rebuilt parts)`);
  t.equal(seen.notFresh, 0, 'every adopted digest equals the one fresh views compute');
  t.ok(seen.kept > 0 && seen.changed > 0, 'some bodies kept their digest and some changed');
  t.ok(seen.adoptedCalls < seen.freshCalls / 2, `adopting digests hashed ${seen.adoptedCalls} texts where fresh views hashed ${seen.freshCalls}`);
});
