// The explorer's questions (public: the console, `kus path`, `kus explain`) keep a bounded number of parsed documents,
// keep nothing for channels that do not exist, and do not parse every channel to answer a hint or a release view.
import t from 'tap';
import type { GraphData, Release } from '../src/graph/index.js';
import { GraphCache } from '../src/services/graph-cache.js';
import { GraphExplorer, PARSED_GRAPHS_BUDGET_BYTES, servedGraphsOf } from '../src/services/graph-explorer.js';
import { silentLogger } from './helpers/admin-app.js';

const CHANNELS = 48;
const VERSIONS = 600;
const digest = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;

/** One architecture, CHANNELS channels listing a chain of VERSIONS releases (~200 KB a body); 5.0.0 only in c-3 and c-7. */
function input(): { releases: Release[]; graphData: GraphData } {
  const versions = Array.from({ length: VERSIONS }, (_, i) => `4.0.${i}`);
  const releases: Release[] = versions.map((version, i) => ({
    version, arch: 'amd64', payload: `registry.example/kylin/release@${digest(i + 1)}`, digest: digest(i + 1),
    metadata: { url: `https://docs.example/errata/${version}/${'x'.repeat(200)}` }, previous: i === 0 ? [] : [versions[i - 1]!], next: [],
  }));
  releases.push({ version: '5.0.0', arch: 'amd64', payload: `registry.example/kylin/release@${digest(9999)}`, digest: digest(9999), metadata: {}, previous: [versions.at(-1)!], next: [] });
  const channels = Array.from({ length: CHANNELS }, (_, c) => ({
    file: `c-${c}.yaml`, name: `c-${c}`, versions: c === 3 || c === 7 ? [...versions, '5.0.0'] : versions,
  }));
  return { releases, graphData: { schemaVersion: '1.1.0', rawMetadata: [], blockedEdges: [], conditionalEdges: [], channels } };
}

function explorerOn(cache: GraphCache): GraphExplorer {
  return new GraphExplorer({ served: servedGraphsOf(cache), edges: () => ({ blocked: [], conditional: [] }) });
}

const cache = new GraphCache({ load: input, logger: silentLogger, warmUp: false });
t.ok(cache.rebuild().ok, 'the graph builds');
const bodyBytes = cache.lookup('c-0', 'amd64').plain.length;

t.test('the documents are large enough that every channel together is over the budget', async (t) => {
  t.ok(bodyBytes * CHANNELS > 2 * PARSED_GRAPHS_BUDGET_BYTES, `${CHANNELS} bodies of ${bodyBytes} bytes against a budget of ${PARSED_GRAPHS_BUDGET_BYTES}`);
});

t.test('a hint names the channels that list a version without parsing any document', async (t) => {
  const explorer = explorerOn(cache);
  const elsewhere = explorer.explain({ version: '5.0.0', channel: 'c-0', arch: 'amd64' });
  t.equal(elsewhere.retrievedUpdates.reason, 'VersionNotFound');
  t.match(elsewhere.hints, [/^5\.0\.0 is in c-3, c-7: switch the cluster's channel/]);
  const nowhere = explorer.explain({ version: '9.9.9', channel: 'c-0', arch: 'amd64' });
  t.match(nowhere.hints, [/^no channel lists 9\.9\.9 for amd64/]);
  t.equal(explorer.parsedBytes, 0, 'no document was kept parsed for either hint');
});

t.test('questions about channels that do not exist leave nothing behind', async (t) => {
  const explorer = explorerOn(cache);
  let answered = 0;
  for (let i = 0; i < 1000; i++) {
    const answer = explorer.path({ from: '4.0.1', to: '4.0.2', channel: `no-such-channel-${i}`, arch: 'amd64' });
    if (answer.recommended.length === 0 && answer.problems.length > 0) answered++;
  }
  t.equal(answered, 1000, 'each is answered with a problem, no path');
  t.equal(explorer.parsedBytes, 0, 'and nothing is kept for them');
});

t.test('paths in every channel keep parsed documents within the budget, and an evicted one is parsed again', async (t) => {
  const explorer = explorerOn(cache);
  const first = explorer.path({ from: '4.0.0', to: '4.0.3', channel: 'c-0', arch: 'amd64' });
  t.same(first.recommended[0]?.map((hop) => `${hop.from}->${hop.to}`), ['4.0.0->4.0.1', '4.0.1->4.0.2', '4.0.2->4.0.3'], 'the path in c-0');
  let sameEverywhere = 0;
  for (let c = 1; c < CHANNELS; c++) {
    const answer = explorer.path({ from: '4.0.0', to: '4.0.3', channel: `c-${c}`, arch: 'amd64' });
    if (JSON.stringify(answer.recommended) === JSON.stringify(first.recommended)) sameEverywhere++;
    t.ok(explorer.parsedBytes <= PARSED_GRAPHS_BUDGET_BYTES, `after c-${c}: ${explorer.parsedBytes} bytes parsed and kept`);
  }
  t.equal(sameEverywhere, CHANNELS - 1, 'the same path in every other channel');
  t.ok(explorer.parsedBytes >= PARSED_GRAPHS_BUDGET_BYTES - bodyBytes, 'the budget is used, not left empty');
  t.same(explorer.path({ from: '4.0.0', to: '4.0.3', channel: 'c-0', arch: 'amd64' }), first, 'c-0, evicted since, answers the same');
});

t.test('a release view parses only the channels that list the release', async (t) => {
  const explorer = explorerOn(cache);
  const view = await explorer.release('5.0.0', 'amd64');
  t.same(view?.channels.map((c) => c.channel), ['c-3', 'c-7']);
  t.same(view?.channels[0]?.incoming.map((e) => e.version), ['4.0.599'], 'its edge in, read from the parsed document');
  t.equal(explorer.parsedBytes, cache.lookup('c-3', 'amd64').plain.length + cache.lookup('c-7', 'amd64').plain.length, 'two documents parsed, no other');
});
