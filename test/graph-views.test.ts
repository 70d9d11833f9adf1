// Per-request filtering on the worked example: the table of graph-semantics §9.4, plus channel labels and the
// invariants clusters rely on.
import t from 'tap';
import { buildGraph, GraphViews, KEY, serializeServed, type ServedGraph } from '../src/graph/index.js';
import { workedGraphData, workedReleases } from './helpers/worked-example.js';

const { graph } = buildGraph({ releases: workedReleases(), graphData: workedGraphData() });
const views = new GraphViews(graph);

function summary(view: ServedGraph): { nodes: string[]; edges: string[]; conditional: string[] } {
  return {
    nodes: view.nodes.map((n) => n.version),
    edges: view.edges.map(([f, to]) => `${view.nodes[f]!.version}->${view.nodes[to]!.version}`),
    conditional: view.conditionalEdges.flatMap((g) => g.edges.map((e) => `${e.from}->${e.to} [${g.risks.map((r) => r.name).join(',')}]`)),
  };
}

t.test('the §9.4 table', async (t) => {
  t.same(summary(views.render('stable-1.2', 'amd64')), {
    nodes: ['1.1.1', '1.2.0', '1.2.1'],
    edges: ['1.1.1->1.2.0', '1.2.0->1.2.1'],
    conditional: ['1.1.1->1.2.1 [StorageDriverRisk,EarlyAdopterRisk]'],
  });
  t.same(summary(views.render('stable-1.2', 'arm64')), { nodes: ['1.1.1', '1.2.0'], edges: ['1.1.1->1.2.0'], conditional: [] });
  t.same(summary(views.render('candidate-1.2', 'amd64')), {
    nodes: ['1.1.0', '1.1.1', '1.2.0', '1.2.1'],
    edges: ['1.1.0->1.1.1', '1.1.0->1.2.0', '1.1.1->1.2.0', '1.2.0->1.2.1'],
    conditional: ['1.1.1->1.2.1 [StorageDriverRisk,EarlyAdopterRisk]'],
  });
  t.same(summary(views.render('stable-1.1', 'amd64')), { nodes: ['1.0.0', '1.1.0', '1.1.1'], edges: ['1.0.0->1.1.0', '1.1.0->1.1.1'], conditional: [] });
});

t.test('channel labels are sorted by version suffix, then name', async (t) => {
  t.equal(graph.nodes.get('1.2.1+amd64')!.metadata.get(KEY.channels), 'candidate-1.10,candidate-1.2,stable-1.2');
  t.equal(graph.nodes.get('1.2.1+arm64')!.metadata.get(KEY.channels), 'candidate-1.10,candidate-1.2');
  t.equal(graph.nodes.get('1.1.1+arm64')!.metadata.get(KEY.channels), 'stable-1.1,candidate-1.2,stable-1.2');
});

t.test('served nodes never carry the arch label or +arch', async (t) => {
  const view = views.render('candidate-1.2', 'arm64');
  t.ok(view.nodes.length > 0);
  for (const n of view.nodes) {
    t.notMatch(n.version, /\+/);
    t.notOk(KEY.arch in n.metadata, `${n.version} has no arch label`);
  }
});

t.test('unknown channel or architecture gives the empty graph', async (t) => {
  t.equal(serializeServed(views.render('stable-9.9', 'amd64')), '{"version":1,"nodes":[],"edges":[],"conditionalEdges":[]}');
  t.same(views.render('stable-1.2', 's390x').nodes, []);
});

t.test('lists what can be requested', async (t) => {
  t.same(views.channels(), ['candidate-1.10', 'candidate-1.2', 'stable-1.1', 'stable-1.2']);
  t.same(views.arches(), ['amd64', 'arm64']);
  t.same(views.archesOf('stable-1.2'), ['amd64', 'arm64']);
});

t.test('an edge is never both unconditional and conditional, and indices are in range', async (t) => {
  for (const channel of views.channels()) {
    for (const arch of views.arches()) {
      const view = views.render(channel, arch);
      const plain = new Set(view.edges.map(([f, to]) => `${view.nodes[f]!.version}->${view.nodes[to]!.version}`));
      const versions = new Set(view.nodes.map((n) => n.version));
      for (const [f, to] of view.edges) t.ok(f < view.nodes.length && to < view.nodes.length && f !== to);
      for (const g of view.conditionalEdges) {
        for (const e of g.edges) {
          t.notOk(plain.has(`${e.from}->${e.to}`), `${channel}/${arch} ${e.from}->${e.to} only conditional`);
          t.ok(versions.has(e.from) && versions.has(e.to), 'conditional endpoints are served nodes');
        }
      }
    }
  }
});

t.test('serialization is the v1 shape in upstream field order', async (t) => {
  const text = serializeServed(views.render('stable-1.2', 'amd64'));
  t.match(text, /^\{"version":1,"nodes":\[/);
  t.match(text, /"conditionalEdges":\[\{"edges":\[\{"from":"1\.1\.1","to":"1\.2\.1"\}\],"risks":\[\{"url":"https:\/\/docs\.example\/kb\/42","name":"StorageDriverRisk"/);
  t.match(text, /"matchingRules":\[\{"type":"Always"\}\]/);
  t.match(text, /"matchingRules":\[\{"type":"PromQL","promql":\{"promql":"max\(kylin_legacy_storage_enabled\)"\}\}\]/);
});

t.test('renderText is byte-identical to serializeServed(render())', async (t) => {
  for (const channel of [...views.channels(), 'nope-1.0']) {
    for (const arch of [...views.arches(), 'multi']) {
      t.equal(views.renderText(channel, arch), serializeServed(views.render(channel, arch)), `${channel}/${arch}`);
    }
  }
});

t.test('views whose render memos were dropped render the same bytes again, on frozen edges too', async (t) => {
  const frozen = buildGraph({ releases: workedReleases(), graphData: workedGraphData() }).graph;
  frozen.freezeEdges();
  const again = new GraphViews(frozen);
  const first = new Map<string, string>();
  for (const channel of views.channels()) for (const arch of views.arches()) first.set(`${channel}/${arch}`, again.renderText(channel, arch));
  again.dropRenderMemos();
  for (const channel of views.channels()) {
    for (const arch of views.arches()) {
      const text = again.renderText(channel, arch);
      t.equal(text, first.get(`${channel}/${arch}`), `${channel}/${arch} after the memos were dropped`);
      t.equal(text, views.renderText(channel, arch), `${channel}/${arch} equals the views of Sets`);
    }
  }
});

t.test('nodeCount matches the rendered view', async (t) => {
  for (const channel of views.channels()) for (const arch of views.arches()) t.equal(views.nodeCount(channel, arch), views.render(channel, arch).nodes.length);
});
