// GraphCache: build → render → one-assignment swap; failures logged, counted, and the last good graph kept.
import t from 'tap';
import { gunzipSync, gzipSync } from 'node:zlib';
import { buildGraph, GraphViews, serializeServed, type BuildInput } from '../src/graph/index.js';
import { EMPTY_GRAPH_BODY, GraphCache, INFLATED_BODIES_BUDGET_BYTES, ServedBody, Variant } from '../src/services/graph-cache.js';
import { bodyHash } from '../src/services/rendered-bodies.js';
import { workedGraphData, workedReleases } from './helpers/worked-example.js';

function recordingLogger() {
  const lines: Array<{ level: string; msg: string; obj: object }> = [];
  const at = (level: string) => (obj: object, msg: string) => void lines.push({ level, msg, obj });
  return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error') } };
}

const worked = (): BuildInput => ({ releases: workedReleases(), graphData: workedGraphData() });

t.test('before the first build every key is the empty graph and the cache is not ready', async (t) => {
  const cache = new GraphCache({ load: worked, logger: recordingLogger().logger });
  t.equal(cache.ready, false);
  t.equal(cache.snapshot, undefined);
  t.equal(cache.lookup('stable-1.2', 'amd64').plain.toString(), EMPTY_GRAPH_BODY);
});

t.test('a build renders every (channel, arch) with nodes, byte-identical to the engine', async (t) => {
  const { logger, lines } = recordingLogger();
  const cache = new GraphCache({ load: worked, logger });
  const result = cache.rebuild();
  t.equal(result.ok, true);
  if (result.ok) t.equal(result.releases, 10);
  t.equal(cache.ready, true);
  const views = new GraphViews(buildGraph(worked()).graph);
  const keys: string[] = [];
  for (const [arch, byChannel] of cache.snapshot!.bodies) for (const channel of byChannel.keys()) keys.push(`${channel}/${arch}`);
  t.same(keys.sort(), [
    'candidate-1.10/amd64', 'candidate-1.10/arm64', 'candidate-1.2/amd64', 'candidate-1.2/arm64',
    'stable-1.1/amd64', 'stable-1.1/arm64', 'stable-1.2/amd64', 'stable-1.2/arm64',
  ]);
  for (const key of keys) {
    const [channel, arch] = key.split('/') as [string, string];
    t.equal(cache.lookup(channel, arch).plain.toString(), serializeServed(views.render(channel, arch)), key);
  }
  t.equal(cache.lookup('stable-1.2', 'amd64').nodes, 3);
  t.equal(cache.lookup('nope-1.0', 'amd64').plain.toString(), EMPTY_GRAPH_BODY, 'unknown channel');
  t.equal(cache.lookup('stable-1.2', 's390x').plain.toString(), EMPTY_GRAPH_BODY, 'unknown arch');
  t.match(lines, [{ level: 'info', msg: 'graph rebuilt', obj: { releases: 10, channels: 4, arches: 2 } }]);
});

t.test('ETags: one per media type and encoding, stable for the same bytes across rebuilds', async (t) => {
  const cache = new GraphCache({ load: worked, logger: recordingLogger().logger });
  cache.rebuild();
  const body = cache.lookup('stable-1.2', 'amd64');
  const tags = [Variant.Vnd, Variant.VndGzip, Variant.Json, Variant.JsonGzip].map((v) => body.etag(v));
  t.equal(new Set(tags).size, 4);
  for (const tag of tags) t.match(tag, /^"[A-Za-z0-9_-]+"$/);
  cache.rebuild();
  t.not(cache.lookup('stable-1.2', 'amd64'), body, 'a rebuild makes new entries');
  t.equal(cache.lookup('stable-1.2', 'amd64').etag(Variant.Json), body.etag(Variant.Json), 'same bytes, same tag');
  t.not(cache.lookup('stable-1.1', 'amd64').etag(Variant.Json), body.etag(Variant.Json), 'other bytes, other tag');
});

t.test('gzip is computed once per entry and decompresses to the plain bytes', async (t) => {
  const cache = new GraphCache({ load: worked, logger: recordingLogger().logger });
  cache.rebuild();
  const body = cache.lookup('candidate-1.2', 'arm64');
  const gz = body.gzip();
  t.equal(body.gzip(), gz, 'memoised: the same Buffer');
  t.equal(gunzipSync(gz).toString(), body.plain.toString());
});

t.test('the swap is one assignment: a held snapshot never changes, a failure keeps the last good one', async (t) => {
  let input: BuildInput = worked();
  const { logger, lines } = recordingLogger();
  const cache = new GraphCache({ load: () => input, logger });
  cache.rebuild();
  const first = cache.snapshot!;
  const firstBody = first.bodies.get('amd64')!.get('stable-1.2')!;

  const data = workedGraphData();
  data.channels = data.channels.filter((c) => c.name !== 'stable-1.2');
  input = { releases: workedReleases(), graphData: data };
  t.equal(cache.rebuild().ok, true);
  t.not(cache.snapshot, first);
  t.equal(first.bodies.get('amd64')!.get('stable-1.2'), firstBody, 'the old generation is untouched');
  t.equal(cache.lookup('stable-1.2', 'amd64').plain.toString(), EMPTY_GRAPH_BODY, 'the new one no longer has the channel');
  const second = cache.snapshot;

  input = { releases: workedReleases().map((r) => (r.version === '1.0.0' ? { ...r, previous: ['1.2.1'] } : r)), graphData: workedGraphData() };
  const failed = cache.rebuild();
  t.equal(failed.ok, false);
  t.equal(cache.snapshot, second, 'the last good generation stays');
  t.same(cache.stats(), { ...cache.stats(), builds: 2, failures: 1, ready: true, releases: 10 });
  t.match(lines.at(-1), { level: 'error', msg: 'graph rebuild failed', obj: { failures: 1, serving: 'previous graph' } });

  const cacheThrowing = new GraphCache({ load: () => { throw new Error('store unreadable'); }, logger });
  t.equal(cacheThrowing.rebuild().ok, false, 'a throwing loader is a failed rebuild, not an exception');
  t.equal(cacheThrowing.ready, false);
});

t.test('bodies render on first use; the background warm-up renders the rest after a swap', async (t) => {
  const lazy = new GraphCache({ load: worked, logger: recordingLogger().logger, warmUp: false });
  lazy.rebuild();
  await new Promise((resolve) => setImmediate(resolve));
  const all = () => [...lazy.snapshot!.bodies.values()].flatMap((m) => [...m.values()]);
  t.ok(all().every((b) => !b.rendered), 'nothing rendered by the rebuild itself');
  t.ok(lazy.lookup('stable-1.2', 'amd64').plain.length > 0);
  t.equal(all().filter((b) => b.rendered).length, 1, 'only the requested body was rendered');

  const warm = new GraphCache({ load: worked, logger: recordingLogger().logger });
  warm.rebuild();
  const bodies = [...warm.snapshot!.bodies.values()].flatMap((m) => [...m.values()]);
  for (let i = 0; i < 50 && !bodies.every((b) => b.rendered); i++) await new Promise((resolve) => setImmediate(resolve));
  t.ok(bodies.every((b) => b.rendered), 'every body rendered in the background');
});

t.test('plain copies of the bodies the build worker rendered stay within a byte budget, and every body still reads whole', async (t) => {
  // Three budgets' worth of bodies of 300 KB each (the generated upstream-scale store's run from 44 to 381 KB).
  const size = 300 * 1024;
  const count = Math.ceil((3 * INFLATED_BODIES_BUDGET_BYTES) / size);
  const texts = Array.from({ length: count }, (_, i) => JSON.stringify({ version: 1, nodes: [{ version: `4.${i}.0`, payload: 'x'.repeat(size) }] }));
  const bodies = texts.map((text, i) =>
    ServedBody.fromRendered({ arch: 'amd64', channel: `c-${i}`, status: 200, nodes: 1, hash: bodyHash(text), gzip: gzipSync(text) }));
  let whole = 0;
  for (const [i, body] of bodies.entries()) if (body.plain.toString() === texts[i]) whole++;
  t.equal(whole, count, `each of ${count} bodies inflates to its own text`);
  const held = ServedBody.inflatedBytes();
  t.ok(held <= INFLATED_BODIES_BUDGET_BYTES, `plain copies held: ${held} bytes, within the budget of ${INFLATED_BODIES_BUDGET_BYTES}`);
  t.ok(held > INFLATED_BODIES_BUDGET_BYTES - 2 * size, `and the budget is used (${held} bytes), not left empty`);
  const last = bodies.at(-1)!;
  t.equal(last.plain, last.plain, 'the body asked for last is answered from the cache (the same bytes, not inflated again)');
  const text = texts.at(-1)!;
  const nextGeneration = ServedBody.fromRendered({ arch: 'amd64', channel: `c-${count - 1}`, status: 200, nodes: 1, hash: bodyHash(text), gzip: gzipSync(text) });
  t.equal(nextGeneration.plain, last.plain, 'the same bytes handed over again (a later generation) find that copy');
  t.equal(bodies[0]!.plain.toString(), texts[0], 'the first body, evicted since, inflates whole again');
  t.ok(ServedBody.inflatedBytes() <= INFLATED_BODIES_BUDGET_BYTES, 'still within the budget after it');
  t.equal(bodies[0]!.etag(Variant.Json), `"${bodyHash(texts[0]!)}-json"`, 'its ETag is the hash the worker sent, whatever the cache holds');
});
