// Step A extended from the last build's (a publish appends releases to an architecture's list) against step A made
// whole, down to the order of nodes and of each edge set; and graphs sharing edge sets, each changed on its own.
import t from 'tap';
import { buildByArch, buildGraph, Graph, type Release } from '../src/graph/index.js';
import { isFrozen } from '../src/graph/graph.js';
import { extendedGraph, graphFromReleases, workingCopy } from '../src/graph/steps/releases-to-graph.js';
import { rng } from './helpers/random-writes.js';

const hex = (n: number): string => n.toString(16).padStart(64, '0');

/** Everything of a graph, in its own orders: map keys, each node, each node's parents and children as iterated. */
function layout(g: Graph): string {
  return JSON.stringify({
    nodes: [...g.nodes.values()].map((n) => [n.version, n.concrete, n.payload, [...n.metadata]]),
    parents: [...g.parents].map(([v, s]) => [v, [...s]]),
    children: [...g.children].map(([v, s]) => [v, [...s]]),
  });
}

/**
 * Random releases of one architecture in a random order: previous lists that name earlier and later versions and
 * some that no release provides (placeholders), a few next lists, duplicates within a list.
 */
function randomReleases(random: () => number, count: number, arch = 'amd64'): Release[] {
  const versions = Array.from({ length: count + 8 }, (_, i) => `4.${1 + (i % 3)}.${Math.floor(i / 3)}`);
  const order = versions.slice(0, count).sort(() => random() - 0.5);
  return order.map((version, n): Release => {
    // Acyclic: a previous entry is a version before this one in `versions`, or one no release provides.
    const own = versions.indexOf(version);
    const eligible = versions.filter((_, i) => i < own || i >= count);
    const pick = (k: number): string[] => Array.from({ length: k }, () => eligible[Math.floor(random() * eligible.length)]!);
    return {
      version, arch, payload: `quay.example/r@sha256:${hex(n + 1)}`, digest: `sha256:${hex(n + 1)}`,
      metadata: random() < 0.5 ? { url: `https://docs.example/${version}` } : {} as Record<string, string>,
      previous: pick(Math.floor(random() * 6)),
      // Next lists only towards versions no release here may reach back from: keep the graph acyclic.
      next: random() < 0.15 ? [`9.0.${n}`] : [],
    };
  });
}

t.test('step A extended release by release equals step A made whole, in every order', async (t) => {
  let extended = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const random = rng(seed);
    const all = randomReleases(random, 30);
    let cut = 5 + Math.floor(random() * 10);
    let base = { releases: all.slice(0, cut), graph: graphFromReleases(all.slice(0, cut)) };
    // Odd seeds extend frozen graphs, as the build worker keeps them; even seeds graphs of Sets.
    const freeze = seed % 2 === 1;
    while (cut < all.length) {
      if (freeze) base.graph.freezeEdges();
      cut = Math.min(all.length, cut + 1 + Math.floor(random() * 3));
      const releases = all.slice(0, cut);
      const whole = graphFromReleases(releases);
      const before = layout(base.graph);
      const made = extendedGraph(base, releases);
      // The base is left as it was, whether or not it could be extended.
      t.equal(layout(base.graph), before, `seed ${seed}: the base is unchanged`);
      if (made === undefined) {
        // Only when a new release's version is a node already (named by an earlier release's list).
        const known = new Set(base.graph.nodes.keys());
        t.ok(releases.slice(base.releases.length).some((r) => known.has(`${r.version}+${r.arch}`)), `seed ${seed}: refused only for a known version`);
        base = { releases, graph: whole };
        continue;
      }
      extended++;
      t.equal(layout(made), layout(whole), `seed ${seed}: ${releases.length} releases`);
      base = { releases, graph: made };
    }
  }
  t.ok(extended > 100, `most steps were extended (${extended})`);
});

t.test('step A is not extended from releases it was not made from', async (t) => {
  const releases = randomReleases(rng(7), 12);
  const base = { releases, graph: graphFromReleases(releases) };
  t.equal(extendedGraph(base, releases.slice(0, 11)), undefined, 'fewer releases');
  const changed = [...releases];
  changed[3] = { ...releases[3]!, previous: [] };
  t.equal(extendedGraph(base, changed), undefined, 'an earlier release replaced');
  const again = { ...releases[0]!, payload: 'quay.example/r@sha256:' + hex(99), digest: `sha256:${hex(99)}` };
  t.equal(extendedGraph(base, [...releases, again]), undefined, 'a new release of a version already there');
  t.throws(() => graphFromReleases([...releases, again]), { code: 'KUS_ERR_DIGEST_MISMATCH' }, 'which the whole build refuses');
  const cycle: Release = { version: '4.1.99', arch: 'amd64', payload: 'p@sha256:' + hex(98), digest: null, metadata: {}, previous: [releases[0]!.version], next: [releases[0]!.version] };
  t.throws(() => extendedGraph(base, [...releases, cycle]), { code: 'KUS_ERR_CYCLE' }, 'an extension that closes a cycle is refused as a whole build refuses it');
});

t.test('graphs that share edge sets each change only their own', async (t) => {
  const g = new Graph();
  for (const v of ['a', 'b', 'c', 'd']) g.addNode({ version: v, concrete: true, payload: '', metadata: new Map() });
  g.addParents('c', ['a', 'b']);
  g.addEdge('c', 'd');
  const original = layout(g);
  const copies = [0, 1, 2, 3, 4].map(() => g.shareEdges(g.nodes.values()));
  copies[0]!.removeEdge('a', 'c');
  copies[1]!.removeParentsWhere('c', (p) => p === 'b');
  copies[2]!.removeNode('c');
  copies[3]!.addEdge('a', 'd');
  copies[4]!.addParents('d', ['a', 'b']);
  t.equal(layout(g), original, 'the graph shared from is unchanged');
  t.same([...copies[0]!.edges()], [['b', 'c'], ['c', 'd']]);
  t.same([...copies[1]!.edges()], [['a', 'c'], ['c', 'd']]);
  t.same([...copies[2]!.edges()], []);
  t.same([...copies[3]!.edges()], [['a', 'c'], ['a', 'd'], ['b', 'c'], ['c', 'd']]);
  t.same([...copies[4]!.edges()], [['a', 'c'], ['a', 'd'], ['b', 'c'], ['b', 'd'], ['c', 'd']]);
  g.removeEdge('c', 'd');
  t.same([...copies[0]!.edges()], [['b', 'c'], ['c', 'd']], 'and a change to the first after sharing does not reach the copies');
  t.throws(() => g.shareEdges([...g.nodes.values()].slice(1)), /every node/, 'a node left out would leave its edges in shared sets: refused');
});

t.test('a frozen graph holds arrays, and changing it or a graph sharing them changes a copy', async (t) => {
  const make = (): Graph => {
    const g = new Graph();
    for (const v of ['a', 'b', 'c', 'd']) g.addNode({ version: v, concrete: true, payload: '', metadata: new Map() });
    g.addParents('c', ['b', 'a']);
    g.addEdge('c', 'd');
    return g;
  };
  const frozen = make();
  frozen.freezeEdges();
  t.equal(layout(frozen), layout(make()), 'freezing keeps every node and the order of every edge set');
  t.ok([...frozen.parents.values(), ...frozen.children.values()].every(isFrozen), 'every edge set is an array');
  t.ok(frozen.hasEdge('b', 'c') && !frozen.hasEdge('c', 'b'), 'edges are read from the arrays');
  t.equal(frozen.edgeCount(), 3);
  const arrays = [...frozen.parents.values()];
  const changes: Array<[string, (g: Graph) => void]> = [
    ['removeEdge', (g) => g.removeEdge('a', 'c')],
    ['removeParentsWhere', (g) => g.removeParentsWhere('c', (p) => p === 'b')],
    ['removeNode', (g) => g.removeNode('c')],
    ['addEdge', (g) => g.addEdge('a', 'd')],
    ['addParents', (g) => g.addParents('d', ['a', 'b'])],
    ['addEdge of an edge already there', (g) => g.addEdge('b', 'c')],
  ];
  for (const [name, change] of changes) {
    const expected = make();
    change(expected);
    const shared = frozen.shareEdges(frozen.nodes.values());
    change(shared);
    t.equal(layout(shared), layout(expected), `${name} on a graph sharing the arrays`);
    const own = make();
    own.freezeEdges();
    change(own);
    t.equal(layout(own), layout(expected), `${name} on the frozen graph itself`);
    t.doesNotThrow(() => own.assertAcyclic(), `${name}: still acyclic`);
  }
  t.equal(layout(frozen), layout(make()), 'the frozen graph shared from is unchanged');
  t.ok([...frozen.parents.values()].every((a, i) => a === arrays[i]), 'and still holds the same arrays');
  const cyclic = make();
  cyclic.freezeEdges();
  cyclic.addEdge('d', 'a');
  t.throws(() => cyclic.assertAcyclic(), { code: 'KUS_ERR_CYCLE' }, 'a cycle through frozen edges is found');
});

t.test('a build runs its steps on a working copy: step A is left as made and serves the next build', async (t) => {
  const random = rng(11);
  const releases = randomReleases(random, 40);
  for (const r of releases) if (random() < 0.3) r.metadata = { ...r.metadata, 'io.openshift.upgrades.graph.previous.remove_regex': '^4[.]1[.].*' };
  const graphData = {
    schemaVersion: '1.0.0', rawMetadata: [], blockedEdges: [], channels: [{ file: 'stable-4.2.yaml', name: 'stable-4.2', versions: ['4.2.1', '4.2.2', '4.2.3'] }],
    conditionalEdges: [{ file: 'r.yaml', to: '4.2.3', from: '^4[.]2[.].*', risk: { url: 'https://x.example', name: 'R', message: 'm', matchingRules: [{ type: 'Always' }] } }],
  };
  const stepA = graphFromReleases(releases);
  const before = layout(stepA);
  const first = buildGraph({ releases, stepA, graphData });
  t.equal(layout(stepA), before, 'step A is unchanged by the steps');
  const second = buildGraph({ releases, stepA, graphData });
  const whole = buildGraph({ releases, graphData });
  t.equal(layout(first.graph), layout(whole.graph), 'a build from step A equals a whole build');
  t.equal(layout(second.graph), layout(whole.graph), 'and so does a second build from the same step A');
  t.ok([...whole.graph.nodes.values()].some((n) => n.metadata.has('io.openshift.upgrades.graph.previous.remove_regex')), 'the steps changed metadata');
  t.ok(layout(whole.graph) !== before, 'and edges or labels');

  // Through buildByArch: a publish's build extends the last build's step A, which stays as it was.
  const input = { releases, graphData };
  const last = buildByArch(input);
  const lastStepA = last.basis!.parts.get('amd64')!.stepA!;
  const lastLayout = layout(lastStepA.graph);
  const added: Release = { version: '4.3.20', arch: 'amd64', payload: 'quay.example/r@sha256:' + hex(500), digest: `sha256:${hex(500)}`, metadata: {}, previous: ['4.3.1', '4.2.2'], next: [] };
  const next = buildByArch({ releases: [...releases, added], graphData }, last);
  t.equal(layout(lastStepA.graph), lastLayout, 'the last build\'s step A is unchanged');
  t.equal(layout(next.basis!.parts.get('amd64')!.stepA!.graph), layout(graphFromReleases([...releases, added])), 'the new step A equals a whole one');
  t.equal(layout(next.graph), layout(buildGraph({ releases: [...releases, added], graphData }).graph), 'and the build equals a whole build');
  t.equal(layout(workingCopy(lastStepA.graph)), lastLayout, 'a working copy starts equal to its step A');
  const kept = next.basis!.parts.get('amd64')!;
  for (const [name, graph] of [['the kept step A', kept.stepA!.graph], ['the built part', kept.graph]] as const) {
    t.ok([...graph.parents.values(), ...graph.children.values()].every(isFrozen), `${name} holds arrays, not Sets`);
  }

  // A replica's sync reads its input anew: no step A is kept, and the build is the same.
  const unkept = buildByArch({ releases: [...releases, added], graphData }, undefined, { keepStepA: false });
  t.equal(unkept.basis!.parts.get('amd64')!.stepA, undefined, 'keepStepA false keeps none');
  t.equal(layout(unkept.graph), layout(next.graph), 'and builds the same graph');
});
