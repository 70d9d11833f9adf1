// Each pipeline step on a tiny graph (graph-semantics §5–8).
import t from 'tap';
import {
  buildGraph, edgeSteps, Graph, KEY, sortChannelLabel, type GraphData, type Release,
} from '../src/graph/index.js';
import { applyBlockedEdges } from '../src/graph/steps/apply-blocked-edges.js';
import { applyChannels } from '../src/graph/steps/apply-channels.js';
import { applyRawMetadata } from '../src/graph/steps/apply-raw-metadata.js';
import { checkSchemaVersion } from '../src/graph/steps/check-schema-version.js';
import { declareConditionalEdges } from '../src/graph/steps/declare-conditional-edges.js';
import { graphFromReleases, releaseNodeVersion } from '../src/graph/steps/releases-to-graph.js';
import type { Step } from '../src/graph/step.js';
import { workedGraphData, workedReleases } from './helpers/worked-example.js';

const hex = (n: number): string => n.toString(16).padStart(64, '0');
function rel(version: string, arch: string | null, previous: string[] = [], next: string[] = [], metadata: Record<string, string> = {}): Release {
  const digest = `sha256:${hex(version.length * 131 + (arch?.length ?? 0) + previous.length)}`;
  return { version, arch, payload: `r.example/rel@${digest}`, digest, metadata, previous, next };
}
const data = (over: Partial<GraphData>): GraphData => ({ schemaVersion: '1.1.0', rawMetadata: [], blockedEdges: [], conditionalEdges: [], channels: [], ...over });
const edgesOf = (g: Graph): string[] => [...g.edges()].map(([f, to]) => `${f}->${to}`).sort();
function run(step: Step, g: Graph, gd: GraphData): string[] {
  const warnings: string[] = [];
  step.run(g, { graphData: gd, warn: (m) => warnings.push(m) });
  return warnings;
}

t.test('step A: nodes carry +arch, previous/next make same-arch edges, unknown versions become placeholders', async (t) => {
  const g = graphFromReleases([rel('1.0.0', 'arm64'), rel('1.1.0', 'arm64', ['1.0.0']), rel('1.1.1', 'arm64', ['1.0.0+amd64', '1.1.0']), rel('1.2.1', 'arm64', ['1.0.9'], ['1.3.0'])]);
  t.same(edgesOf(g), ['1.0.0+arm64->1.1.0+arm64', '1.0.0+arm64->1.1.1+arm64', '1.0.9+arm64->1.2.1+arm64', '1.1.0+arm64->1.1.1+arm64', '1.2.1+arm64->1.3.0+arm64']);
  t.equal(g.nodes.get('1.0.9+arm64')!.concrete, false);
  t.equal(g.nodes.get('1.1.0+arm64')!.metadata.get(KEY.arch), 'arm64');
  t.equal(g.nodes.get('1.1.0+arm64')!.metadata.get(KEY.manifestref)!.slice(0, 7), 'sha256:');
});

t.test('step A: the same version with another digest aborts, with the same digest replaces', async (t) => {
  const a = rel('1.0.0', 'amd64');
  t.throws(() => graphFromReleases([a, { ...a, digest: `sha256:${hex(999)}` }]), { code: 'KUS_ERR_DIGEST_MISMATCH' });
  const g = graphFromReleases([a, { ...a, metadata: { url: 'https://x.example/' } }]);
  t.equal(g.nodes.get('1.0.0+amd64')!.metadata.get('url'), 'https://x.example/');
});

t.test('step A: cycles and self-loops abort the build with the cycle named', async (t) => {
  t.throws(() => graphFromReleases([rel('1.0.0', 'amd64', ['1.1.0']), rel('1.1.0', 'amd64', ['1.0.0'])]), { code: 'KUS_ERR_CYCLE', message: /1\.\d\.0\+amd64 → 1\.\d\.0\+amd64 → / });
  t.throws(() => graphFromReleases([rel('1.0.0', 'amd64', ['1.0.0'])]), { code: 'KUS_ERR_CYCLE' });
});

t.test('step A: edges go in in list order, a self edge is refused before a later bad item, as one by one', async (t) => {
  const releases = [rel('1.0.0', 'amd64', [], ['1.3.0']), rel('1.3.0', 'amd64', ['1.2.0', '1.0.0', '1.1.0', '1.2.0']), rel('1.4.0', 'amd64', ['1.3.0', '1.0.0'])];
  const g = graphFromReleases(releases);
  const oneByOne = new Graph();
  for (const v of ['1.0.0', '1.3.0', '1.4.0', '1.2.0', '1.1.0']) oneByOne.addPlaceholder(`${v}+amd64`);
  for (const [f, to] of [['1.0.0', '1.3.0'], ['1.2.0', '1.3.0'], ['1.0.0', '1.3.0'], ['1.1.0', '1.3.0'], ['1.3.0', '1.4.0'], ['1.0.0', '1.4.0']] as const) {
    oneByOne.addEdge(`${f}+amd64`, `${to}+amd64`);
  }
  for (const v of oneByOne.nodes.keys()) {
    t.same([...g.parents.get(v)!], [...oneByOne.parents.get(v)!], `parents of ${v} in insertion order`);
    t.same([...g.children.get(v)!], [...oneByOne.children.get(v)!], `children of ${v} in insertion order`);
  }
  t.throws(() => graphFromReleases([rel('1.0.0', 'amd64', ['1.0.0', 'not-semver'])]), { code: 'KUS_ERR_CYCLE' });
  t.throws(() => graphFromReleases([rel('1.0.0', 'amd64', ['not-semver', '1.0.0'])]), { code: 'KUS_ERR_INVALID_SEMVER' });
});

t.test('step A: a node version is the release version with the arch as its build metadata', async (t) => {
  const cases: Array<[string, string | null, string]> = [
    ['4.9.15', 'arm64', '4.9.15+arm64'], ['4.9.15-rc.1', 's390x', '4.9.15-rc.1+s390x'], [' 4.9.15\n', 'amd64', '4.9.15+amd64'],
    ['4.9.15+other.1', 'amd64', '4.9.15+amd64'], ['4.9.15', null, '4.9.15'], ['4.2.13-s390x', 's390x', '4.2.13-s390x+s390x'],
  ];
  for (const [version, arch, node] of cases) t.equal(releaseNodeVersion({ version, arch }), node, JSON.stringify([version, arch]));
  t.throws(() => releaseNodeVersion({ version: '4.9', arch: 'amd64' }), { code: 'KUS_ERR_INVALID_SEMVER' });
});

t.test('the cycle check is skipped only while no edge was added since it passed', async (t) => {
  const g = graphFromReleases([rel('1.0.0', 'amd64'), rel('1.1.0', 'amd64', ['1.0.0']), rel('1.2.0', 'amd64', ['1.1.0'])]);
  g.assertAcyclic();
  g.removeEdge('1.0.0+amd64', '1.1.0+amd64');
  g.assertAcyclic();
  g.addEdge('1.2.0+amd64', '1.1.0+amd64');
  t.throws(() => g.assertAcyclic(), { code: 'KUS_ERR_CYCLE', message: /1\.1\.0\+amd64 → 1\.2\.0\+amd64 → 1\.1\.0\+amd64|1\.2\.0\+amd64 → 1\.1\.0\+amd64 → 1\.2\.0\+amd64/ });
  const h = graphFromReleases([rel('1.0.0', 'amd64'), rel('1.1.0', 'amd64', ['1.0.0'])]);
  h.addParents('1.0.0+amd64', ['1.1.0+amd64']);
  t.throws(() => h.assertAcyclic(), { code: 'KUS_ERR_CYCLE' }, 'a list of parents counts as an addition too');
});

t.test('step B.1: schema version 1.x accepted, newer minor warned, other majors refused', async (t) => {
  t.same(run(checkSchemaVersion, new Graph(), data({ schemaVersion: '1.2.0' })), []);
  t.equal(run(checkSchemaVersion, new Graph(), data({ schemaVersion: '1.5.0' })).length, 1);
  t.throws(() => run(checkSchemaVersion, new Graph(), data({ schemaVersion: '2.0.0' })), { code: 'KUS_ERR_GRAPH_DATA_VERSION' });
  t.throws(() => run(checkSchemaVersion, new Graph(), data({ schemaVersion: 'one' })), { code: 'KUS_ERR_GRAPH_DATA_VERSION' });
});

t.test('step B.2: raw metadata appends with a comma to every architecture of the version', async (t) => {
  const g = graphFromReleases([rel('4.1.0', 'amd64', [], [], { [KEY.previousAdd]: '4.0.0' }), rel('4.1.0', 's390x'), rel('4.2.0', 'amd64', ['4.1.9'])]);
  run(applyRawMetadata, g, data({ rawMetadata: [['4.1.0', { [KEY.previousAdd]: '4.0.1' }], ['4.1.9', { x: 'y' }], ['nope', { x: 'y' }]] }));
  t.equal(g.nodes.get('4.1.0+amd64')!.metadata.get(KEY.previousAdd), '4.0.0,4.0.1');
  t.equal(g.nodes.get('4.1.0+s390x')!.metadata.get(KEY.previousAdd), '4.0.1');
  t.equal(g.nodes.get('4.1.9+amd64')!.metadata.size, 0, 'placeholders get no metadata');
});

t.test('step B.3: plain blocks overwrite remove_regex on the designated architectures', async (t) => {
  const g = graphFromReleases([
    rel('4.2.0', 'amd64'), rel('4.2.0', 's390x'), rel('4.3.29', 'ppc64le'), rel('4.3.29', 'amd64'), rel('4.2.11-s390x', 's390x'),
  ]);
  run(applyBlockedEdges, g, data({
    blockedEdges: [
      { file: '4.2.0.yaml', to: '4.2.0', from: '4\\.1\\.20' },
      { file: '4.2.11-s390x.yaml', to: '4.2.11-s390x', from: '.*' },
      { file: '4.3.29+ppc64le.yaml', to: '4.3.29+ppc64le', from: '^4[.]2[.]' },
    ],
  }));
  t.equal(g.nodes.get('4.2.0+amd64')!.metadata.get(KEY.previousRemoveRegex), '4\\.1\\.20');
  t.equal(g.nodes.get('4.2.0+s390x')!.metadata.get(KEY.previousRemoveRegex), '4\\.1\\.20');
  t.equal(g.nodes.get('4.2.11-s390x+s390x')!.metadata.get(KEY.previousRemoveRegex), '.*');
  t.equal(g.nodes.get('4.3.29+ppc64le')!.metadata.get(KEY.previousRemoveRegex), '^4[.]2[.]');
  t.notOk(g.nodes.get('4.3.29+amd64')!.metadata.has(KEY.previousRemoveRegex), 'a build in `to` selects one architecture');
  const warnings = run(applyBlockedEdges, g, data({ blockedEdges: [{ file: 'a.yaml', to: '4.2.0', from: 'a' }, { file: 'b.yaml', to: '4.2.0', from: 'b' }] }));
  t.equal(g.nodes.get('4.2.0+amd64')!.metadata.get(KEY.previousRemoveRegex), 'b', 'the last file by name wins');
  t.ok(warnings.some((w) => w.includes('replaces')));
});

t.test('step B.4: conditional edges are declared and append their regex with "|"', async (t) => {
  const g = graphFromReleases([rel('4.7.4', 'amd64', ['4.6.1'])]);
  const risk = { url: 'https://x.example/', name: 'R', message: 'm', matchingRules: [{ type: 'Always' }] };
  run(applyBlockedEdges, g, data({ blockedEdges: [{ file: '4.7.4.yaml', to: '4.7.4', from: '4\\.6\\..*' }] }));
  run(declareConditionalEdges, g, data({
    conditionalEdges: [
      { file: '4.7.4-a.yaml', to: '4.7.4', from: '4\\.6\\..*', risk },
      { file: '4.7.4-b.yaml', to: '4.7.4', from: '.*', risk: { ...risk, name: 'S' } },
    ],
  }));
  t.equal(g.nodes.get('4.7.4+amd64')!.metadata.get(KEY.previousRemoveRegex), '4\\.6\\..*|4\\.6\\..*|.*');
  t.same(g.declarations.map((d) => [d.to, d.fromRegex, d.risk.name]), [['4.7.4', '4\\.6\\..*', 'R'], ['4.7.4', '.*', 'S']]);
});

t.test('step B.5: channel membership by version, a build in the entry restricts to that architecture', async (t) => {
  const g = graphFromReleases([rel('4.2.16', 'amd64'), rel('4.2.16', 's390x'), rel('4.2.17', 'amd64', ['4.2.15'])]);
  const warnings = run(applyChannels, g, data({
    channels: [
      { file: 'fast-4.2.yaml', name: 'fast-4.2', versions: ['4.2.16+amd64', '4.2.16+amd64', '4.2.15', '4.2.99'] },
      { file: 'stable-4.2.yaml', name: 'stable-4.2', versions: ['4.2.16', '4.2.17'] },
      { file: 'broken-4.2.yaml', name: 'broken-4.2', versions: ['4.2.17', '4.2'] },
    ],
  }));
  t.equal(g.nodes.get('4.2.16+amd64')!.metadata.get(KEY.channels), 'fast-4.2,stable-4.2');
  t.equal(g.nodes.get('4.2.16+s390x')!.metadata.get(KEY.channels), 'stable-4.2');
  t.equal(g.nodes.get('4.2.17+amd64')!.metadata.get(KEY.channels), 'stable-4.2', 'a file with a bad version is skipped whole');
  t.notOk(g.nodes.get('4.2.15+amd64')!.metadata.has(KEY.channels), 'placeholders get no channels');
  t.equal(warnings.length, 1);
});

t.test('step B.6: channel label order', async (t) => {
  t.equal(sortChannelLabel('stable-4.9,stable-4.10,fast-4.9,candidate-4.10,candidate-4.9,fast-4.10'), 'candidate-4.10,fast-4.10,stable-4.10,candidate-4.9,fast-4.9,stable-4.9');
  t.equal(sortChannelLabel('stable-4.8,eus-4.8,candidate-4.8,fast-4.8,eus-4.10'), 'eus-4.10,candidate-4.8,eus-4.8,fast-4.8,stable-4.8');
  // Upstream's two passes (by name, then stably by the part after the first "-") against the one sort used here.
  const suffix = (n: string): string => (n.includes('-') ? n.slice(n.indexOf('-') + 1) : '');
  const bytes = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  const names = ['stable-4.9', 'fast-4.10', 'eus-4.10', 'a', 'b-', '-x', 'candidate-4.9-x', 'stable-4.10', 'Z-4.9', 'a', 'fast-4.9'];
  for (let i = 0; i < 200; i++) {
    const picked = names.filter((_, j) => (i * 7919 + j * 104729) % 3 !== 0).map((n, j, all) => all[(j * (i + 1)) % all.length]!);
    const label = picked.join(',');
    t.equal(sortChannelLabel(label), label.split(',').sort(bytes).sort((a, b) => bytes(suffix(a), suffix(b))).join(','), label);
  }
});

t.test('step C: the §7.5 worked example (removal wins over addition)', async (t) => {
  const g = graphFromReleases([
    rel('1.0.0', 'amd64', [], [], { [KEY.nextAdd]: '1.2.0' }),
    rel('1.1.0', 'amd64', ['1.0.0'], [], { [KEY.previousAdd]: '1.0.0', [KEY.previousRemoveRegex]: '^1[.]0[.]' }),
    rel('1.2.0', 'amd64', ['1.1.0'], [], { [KEY.previousRemove]: '1.1.0' }),
  ]);
  for (const step of edgeSteps) run(step, g, data({}));
  t.same(edgesOf(g), ['1.0.0+amd64->1.2.0+amd64']);
});

t.test('step C: list items are trimmed and get the node architecture; "*" and ".*" remove every parent', async (t) => {
  const { graph } = buildGraph({
    releases: [
      rel('3.0.0', 'amd64'), rel('2.0.0', 'amd64'), rel('1.0.0', 'amd64'),
      rel('4.0.0', 'amd64', ['3.0.0'], [], { [KEY.previousAdd]: '3.0.0 , 2.0.0', [KEY.nextAdd]: '5.0.0' }),
      rel('5.0.0', 'amd64', ['1.0.0', '2.0.0'], [], { [KEY.previousRemove]: ' * ' }),
      rel('6.0.0', 'amd64', ['1.0.0', '2.0.0'], [], { [KEY.previousRemoveRegex]: '.*' }),
      rel('7.0.0', 'amd64', ['1.0.0', '2.0.0', '3.0.0'], [], { [KEY.previousRemoveRegex]: '^[12][.]' }),
      rel('8.0.0', 'amd64', [], ['9.0.0'], { [KEY.nextRemove]: '9.0.0' }),
    ],
  });
  t.same(edgesOf(graph), ['2.0.0+amd64->4.0.0+amd64', '3.0.0+amd64->4.0.0+amd64', '3.0.0+amd64->7.0.0+amd64']);
});

t.test('step C: a bad list item on a node with an architecture aborts the build; unknown targets are warned', async (t) => {
  t.throws(() => buildGraph({ releases: [rel('1.0.0', 'amd64', [], [], { [KEY.nextRemove]: '*' })] }), { code: 'KUS_ERR_INVALID_METADATA', message: /"\*"/ });
  t.throws(() => buildGraph({ releases: [rel('1.0.0', 'amd64', [], [], { [KEY.previousAdd]: '0.9.0,' })] }), { code: 'KUS_ERR_INVALID_METADATA' });
  const { warnings } = buildGraph({ releases: [rel('1.0.0', 'amd64', [], [], { [KEY.previousAdd]: '0.9.0' })] });
  t.match(warnings[0]!.message, /0\.9\.0\+amd64/);
  t.throws(() => buildGraph({ releases: [rel('1.0.0', 'amd64', ['0.9.0'], [], { [KEY.previousRemoveRegex]: '(?<=x)' })] }), { code: 'KUS_ERR_INVALID_REGEX' });
  t.throws(() => buildGraph({ releases: [rel('1.0.0', 'amd64', [], [], { [KEY.nextAdd]: '1.1.0' }), rel('1.1.0', 'amd64', [], [], { [KEY.nextAdd]: '1.0.0' })] }), { code: 'KUS_ERR_CYCLE' });
});

t.test('step C.3: conditional edges on the §8.2 example: one group, both architectures, duplicate names dropped', async (t) => {
  const gd = workedGraphData();
  gd.conditionalEdges.push({ ...gd.conditionalEdges[1]!, file: '1.2.1-c-dup.yaml' });
  const { graph } = buildGraph({ releases: workedReleases(), graphData: gd });
  t.equal(graph.conditional.length, 1);
  t.same(graph.conditional[0]!.edges, [{ from: '1.1.1+amd64', to: '1.2.1+amd64' }, { from: '1.1.1+arm64', to: '1.2.1+arm64' }]);
  t.same(graph.conditional[0]!.risks.map((r) => r.name), ['StorageDriverRisk', 'EarlyAdopterRisk']);
  t.notOk(graph.hasEdge('1.1.1+amd64', '1.2.1+amd64'), 'the unconditional copy is removed');
  t.ok(graph.hasEdge('1.0.9+amd64', '1.2.1+amd64'), 'placeholder parents keep their edge until request time');
  t.equal(graph.nodes.get('1.2.1+arm64')!.metadata.get(KEY.previousRemoveRegex), '1\\.1\\..*|^1[.]1[.]1[+]|^1[.]1[.]1[+]');
});

t.test('step C.3: a risk declared for an update nothing creates is dropped; a plain block does not suppress it', async (t) => {
  const gd = workedGraphData();
  gd.blockedEdges.push({ file: '1.2.1.yaml', to: '1.2.1', from: '.*' });
  gd.conditionalEdges.push({ ...gd.conditionalEdges[0]!, file: '1.2.0-x.yaml', to: '1.2.0', from: '^0[.]' });
  const { graph } = buildGraph({ releases: workedReleases(), graphData: gd });
  t.equal(graph.conditional.length, 1, 'no group for 0.x → 1.2.0');
  t.same([...graph.parents.get('1.2.1+amd64')!], [], 'plain edges into 1.2.1 are blocked');
  t.equal(graph.conditional[0]!.edges.length, 2, 'the conditional edges survive the block');
});

t.test('node-remove: off by default as upstream; when asked, flagged releases leave with their edges', async (t) => {
  const releases = [rel('1.0.0', 'amd64'), rel('1.1.0', 'amd64', ['1.0.0'], [], { [KEY.releaseRemove]: 'true' }), rel('1.2.0', 'amd64', ['1.1.0', '1.0.0']), rel('1.3.0', 'amd64', ['1.2.0'], [], { [KEY.releaseRemove]: 'yes' })];
  t.ok(buildGraph({ releases }).graph.nodes.has('1.1.0+amd64'));
  const { graph } = buildGraph({ releases, nodeRemove: true });
  t.notOk(graph.nodes.has('1.1.0+amd64'));
  t.ok(graph.nodes.has('1.3.0+amd64'), 'only the exact value "true" removes');
  t.same(edgesOf(graph), ['1.0.0+amd64->1.2.0+amd64', '1.2.0+amd64->1.3.0+amd64']);
});
