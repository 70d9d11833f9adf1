// The pure path finder and the operator's reading of a graph answer, on tiny hand-made served graphs.
import t from 'tap';
import { clusterView, findPaths, type Risk, type ServedGraph } from '../src/graph/index.js';

const risk = (name: string, rules: Risk['matchingRules'] = [{ type: 'Always' }]): Risk => ({ url: `https://r.example/${name}`, name, message: `${name} happens`, matchingRules: rules });
const node = (version: string) => ({ version, payload: `quay.example/r@sha256:${version.replace(/\D/g, '').padEnd(64, '0')}`, metadata: {} });

// 1.0.0 → 1.0.1 → 1.0.3, 1.0.0 → 1.0.2 → 1.0.3, 1.0.3 ⇒ 1.0.4 (risk A), 1.0.5 unreachable
const graph: ServedGraph = {
  version: 1,
  nodes: ['1.0.0', '1.0.1', '1.0.2', '1.0.3', '1.0.4', '1.0.5'].map(node),
  edges: [[0, 1], [1, 3], [0, 2], [2, 3]],
  conditionalEdges: [{ edges: [{ from: '1.0.3', to: '1.0.4' }], risks: [risk('A')] }],
};
const ask = (from: string, to: string, extra: Partial<Parameters<typeof findPaths>[0]> = {}) =>
  findPaths({ graph, channel: 'c', arch: 'amd64', from, to, channelArches: ['amd64'], blocked: [], ...extra });

t.test('findPaths', async (t) => {
  const two = ask('1.0.0', '1.0.3');
  t.same(two.recommended.map((p) => p.map((h) => h.to)), [['1.0.1', '1.0.3'], ['1.0.2', '1.0.3']], 'both shortest paths, in version order');
  t.same(two.problems, []);
  t.equal(ask('1.0.0', '1.0.3', { limit: 1 }).recommended.length, 1, 'limit');

  const risky = ask('1.0.0', '1.0.4');
  t.same(risky.recommended, []);
  t.same(risky.withConditional[0]!.at(-1), { from: '1.0.3', to: '1.0.4', risks: ['A'] });
  t.same(risky.problems.map((p) => p.code), ['conditional-only']);

  t.same(ask('1.0.4', '1.0.0').problems.map((p) => p.code), ['no-path'], 'no way back');
  t.same(ask('0.9.0', '1.0.3').problems.map((p) => p.code), ['from-not-in-channel']);
  t.match(ask('0.9.0', '1.0.3').problems[0]!.message, 'VersionNotFound');
  t.same(ask('1.0.0', '9.9.9').problems.map((p) => p.code), ['to-not-in-channel']);
  t.same(ask('1.0.0', '1.0.0').problems.map((p) => p.code), ['same-version']);
  t.same(ask('v1', '1.0.0').problems.map((p) => p.code), ['invalid-version']);
  t.same(ask('1.0.0', '1.0.3+amd64').recommended.length, 2, 'a +arch suffix names the served node');

  const empty: ServedGraph = { version: 1, nodes: [], edges: [], conditionalEdges: [] };
  t.same(ask('1.0.0', '1.0.1', { graph: empty, channelArches: ['arm64'] }).problems.map((p) => p.code), ['arch-not-served']);
  t.same(ask('1.0.0', '1.0.1', { graph: empty, channelArches: [] }).problems.map((p) => p.code), ['to-not-in-channel']);

  const blocked = ask('1.0.0', '1.0.5', { blocked: [{ file: 'b.yaml', to: '1.0.5', from: '^1[.]0[.]3[+].*$' }, { file: 'other.yaml', to: '1.0.5', from: '^2[.]' }] });
  t.same(blocked.problems, [{ code: 'blocked', message: 'the update 1.0.3 → 1.0.5 is blocked by blocked-edges/b.yaml', file: 'b.yaml', edge: { from: '^1[.]0[.]3[+].*$', to: '1.0.5' } }],
    'only the declaration that stands between what A reaches and B');
});

t.test('clusterView', async (t) => {
  const body = (g: ServedGraph) => ({ status: 200, body: JSON.stringify(g) });
  const who = { version: '1.0.3', channel: 'c', arch: 'amd64', id: '5d2b0fb8-34f4-4a3e-9a4e-2d6f1f0c8a11' };
  const v = clusterView(who, body(graph));
  t.equal(v.retrievedUpdates.status, 'True');
  t.same(v.current?.version, '1.0.3');
  t.same(v.updates, []);
  t.same(v.conditionalUpdates.map((u) => [u.version, u.risks.map((r) => r.name)]), [['1.0.4', ['A']]]);
  t.equal(v.query, 'arch=amd64&channel=c&id=5d2b0fb8-34f4-4a3e-9a4e-2d6f1f0c8a11&version=1.0.3');

  t.same(clusterView({ ...who, version: '1.0.3+amd64' }, body(graph)).current?.version, '1.0.3', 'build metadata is ignored when finding the current node');
  t.equal(clusterView({ ...who, version: '1.0.3+amd64' }, body(graph)).conditionalUpdates.length, 0, 'conditional "from" is compared as a string');
  t.equal(clusterView({ ...who, version: '2.0.0' }, body(graph)).retrievedUpdates.reason, 'VersionNotFound');
  t.equal(clusterView({ ...who, id: 'x' }, body(graph)).retrievedUpdates.reason, 'InvalidID');
  t.equal(clusterView({ ...who, channel: '' }, body(graph)).retrievedUpdates.reason, 'NoChannel');
  t.equal(clusterView({ ...who, version: '01.0.3' }, body(graph)).retrievedUpdates.reason, 'InvalidCurrentVersion');
  t.equal(clusterView(who, { status: 400, body: '{}' }).retrievedUpdates.reason, 'ResponseFailed');
  t.equal(clusterView(who, { status: 200, body: '{"nodes":[{"version":"v1"}]}' }).retrievedUpdates.reason, 'ResponseInvalid', 'one bad node invalidates the graph');

  // Both ways for the same target: the conditional one wins; a risk without a known rule drops the target;
  // two groups for one target drop both.
  const messy: ServedGraph = {
    version: 1,
    nodes: ['1.0.0', '1.0.1', '1.0.2', '1.0.3'].map(node),
    edges: [[0, 1], [0, 2]],
    conditionalEdges: [
      { edges: [{ from: '1.0.0', to: '1.0.1' }], risks: [risk('Kept', [{ type: 'PromQL', promql: { promql: 'up' } }, { type: 'Nope' }])] },
      { edges: [{ from: '1.0.0', to: '1.0.2' }], risks: [risk('Unknown', [{ type: 'Nope' }])] },
      { edges: [{ from: '1.0.0', to: '1.0.3' }], risks: [risk('Twice1')] },
      { edges: [{ from: '1.0.0', to: '1.0.3' }], risks: [risk('Twice2')] },
    ],
  };
  const m = clusterView({ ...who, version: '1.0.0' }, body(messy));
  t.same(m.updates, [], '1.0.1 and 1.0.2 are conditional targets, so not unconditional ones');
  t.same(m.conditionalUpdates.map((u) => [u.version, u.risks[0]!.matchingRules.map((r) => r.type)]), [['1.0.1', ['PromQL']]]);
  t.equal(m.warnings.length, 5, 'every drop is said');
});
