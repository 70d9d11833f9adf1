// The publishes a build worker rehearses after its first build (services/publish-rehearsal.ts): they run the publish's
// code and change nothing the worker keeps, so the real publish after them builds what a whole build gives.
import path from 'node:path';
import t, { type Test } from 'tap';
import { buildByArch, buildGraph, serializeFull, type PartitionedBuild } from '../src/graph/index.js';
import { GenerationRenderer } from '../src/services/graph-render.js';
import { rehearsePublishes, REHEARSALS, type RehearsalBase } from '../src/services/publish-rehearsal.js';
import { planAddRelease } from '../src/services/publish/releases.js';
import { bodyDigestsOf, type BodyDigests } from '../src/services/rendered-bodies.js';
import { openStore, type GraphInput } from '../src/store/index.js';
import { seedStore } from './helpers/random-writes.js';
import { tempTree } from './helpers/temp-tree.js';

/** The seeded store's input, built by architecture and rendered, with the digests a server holding that render keeps. */
function rendered(input: GraphInput): { base: RehearsalBase; digests: BodyDigests } {
  const built = buildByArch(input);
  const renderer = new GenerationRenderer();
  const generation = renderer.render(built, performance.now(), new Map(), new Map());
  return { base: { built, input, contents: renderer.lastContents()! }, digests: bodyDigestsOf(generation) };
}

/** Every part's graph and the merged one, as text: what a rehearsal must leave as it was. */
function partsText(built: PartitionedBuild): string {
  return JSON.stringify([serializeFull(built.graph), ...[...built.basis!.parts].map(([arch, part]) => [arch, serializeFull(part.graph), part.stepA?.graph.nodes.size])]);
}

function seededInput(t: Test): GraphInput {
  const file = path.join(tempTree(t), 'kus.db');
  seedStore(file);
  const store = openStore(file);
  t.teardown(() => store.close());
  return store.loadGraphInput();
}

t.test('a rehearsal runs its publishes and leaves the build, its input and the next publish as they were', async (t) => {
  const input = seededInput(t);
  const { base, digests } = rendered(input);
  const inputText = JSON.stringify(input);
  const builtText = partsText(base.built);

  const rehearsal = rehearsePublishes(base, digests);
  t.equal(rehearsal.error, undefined, 'no step threw');
  t.equal(rehearsal.publishes, REHEARSALS, `it rehearsed ${REHEARSALS} publishes`);
  t.ok(rehearsal.durationMs > 0, 'and says how long they took');
  t.equal(JSON.stringify(input), inputText, 'the input is unchanged');
  t.equal(partsText(base.built), builtText, 'every part, its step A and the merged graph are unchanged');
  t.notOk(serializeFull(base.built.graph).includes('kus.rehearsal'), 'no rehearsed release is in the build');

  // A real publish on the same build, after the rehearsal: the graph a whole build of its input gives.
  const plan = planAddRelease(input, { version: '4.3.12', arch: 'amd64', payload: `quay.example/r@sha256:${'ab'.repeat(32)}`, previous: ['4.3.11'], channels: ['stable-4.3'] });
  const next = buildByArch(plan.candidate, base.built);
  t.equal(serializeFull(next.graph), serializeFull(buildGraph(plan.candidate).graph), 'the next publish builds what a whole build gives');
});

t.test('a rehearsal that cannot run says why and stops; one with nothing to build on does nothing', async (t) => {
  const input = seededInput(t);
  const { digests } = rendered(input);
  // The store already holds the first rehearsed version for that architecture, under another digest.
  const newest = input.releases.findLast((r) => r.arch === 'amd64')!;
  const taken: GraphInput = { ...input, releases: [...input.releases, { ...newest, version: '0.0.0-kus.rehearsal.1', payload: `quay.example/r@sha256:${'cd'.repeat(32)}`, digest: `sha256:${'cd'.repeat(32)}`, previous: [] }] };
  const clash = rehearsePublishes(rendered(taken).base, digests);
  t.equal(clash.publishes, 0, 'no publish was rehearsed');
  t.match(clash.error, /0\.0\.0-kus\.rehearsal\.1\+amd64 is already stored with digest/, 'and the error names the version it could not add');

  // A release without an architecture: the input is built whole, and a rehearsal would render every body each time.
  const whole: GraphInput = { ...input, releases: [...input.releases, { ...newest, version: '9.9.9', arch: null, previous: [] }] };
  const skipped = rehearsePublishes(rendered(whole).base, digests);
  t.same({ publishes: skipped.publishes, error: skipped.error }, { publishes: 0, error: undefined }, 'input that does not split by architecture is not rehearsed');
});
