// Graphs that upstream's complete deployment served (shared/conformance/cincinnati-e2e): each is turned back into
// releases and graph-data, rebuilt, and served again for the same channel and architecture; the result must equal
// the original under upstream's comparison, with conditional edges compared too (fixtures.md §2.3).
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildGraph, GraphViews, inputFromServed, isStrictSemver, KEY, serializeServed, type ServedGraph } from '../src/graph/index.js';
import { comparable, differences } from './helpers/compare-graphs.js';
import { e2eDir, sharedSkip } from './helpers/shared.js';

const skip = sharedSkip();
const files = skip ? [] : readdirSync(e2eDir).filter((f) => f.endsWith('_v1.json')).sort();

function conditionalSet(view: { conditionalEdges?: ServedGraph['conditionalEdges'] }): string[] {
  return (view.conditionalEdges ?? []).flatMap((g) => g.edges.map((e) => `${e.from}->${e.to} [${g.risks.map((r) => r.name).join(',')}]`)).sort();
}

t.test('served e2e graphs round-trip through the engine', { skip }, async (t) => {
  t.ok(files.length >= 7, 'the shared e2e files are present');
  for (const file of files) {
    const [, channel, arch] = /^[0-9a-f]+_(.+)_([a-z0-9]+)_v1\.json$/.exec(file)!;
    t.test(file, async (t) => {
      const original = JSON.parse(readFileSync(path.join(e2eDir, file), 'utf8')) as ServedGraph;
      const { releases, graphData } = inputFromServed(original, arch!);
      const { graph } = buildGraph({ releases, graphData });
      const view = new GraphViews(graph).render(channel!, arch!);
      t.same(differences(comparable(view), comparable(original)), [], 'nodes and edges equal');
      t.same(conditionalSet(view), conditionalSet(original), 'conditional edges equal, risks in order');

      const served = JSON.parse(serializeServed(view)) as ServedGraph;
      const versions = new Set(served.nodes.map((n) => n.version));
      const plain = new Set(served.edges.map(([f, to]) => `${f},${to}`));
      t.equal(versions.size, served.nodes.length, 'unique versions');
      t.ok(served.nodes.every((n) => isStrictSemver(n.version)), 'every version is strict SemVer');
      t.ok(served.nodes.every((n) => n.metadata[KEY.channels]!.split(',').includes(channel!)), 'every node is in the channel');
      t.ok(served.nodes.every((n) => Object.values(n.metadata).every((v) => typeof v === 'string')), 'metadata values are strings');
      const index = new Map(served.nodes.map((n, i) => [n.version, i]));
      const pairs = new Set<string>();
      for (const g of served.conditionalEdges) {
        for (const e of g.edges) {
          const key = `${index.get(e.from)},${index.get(e.to)}`;
          t.ok(versions.has(e.from) && versions.has(e.to), `${e.from}->${e.to} joins served nodes`);
          t.notOk(plain.has(key), `${e.from}->${e.to} is not also unconditional`);
          t.notOk(pairs.has(key), `${e.from}->${e.to} is in one group only`);
          pairs.add(key);
        }
      }
    });
  }
});
