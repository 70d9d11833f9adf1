// Import → export → import keeps the store content and every served graph byte-identical, on the upstream fixtures.
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildGraph, GraphViews, parseRawGraph, serializeServed, type Graph } from '../src/graph/index.js';
import { readGraphData } from '../src/graph-data/index.js';
import { exportGraphData, importGraphData, seedStoreIfEmpty } from '../src/services/graph-data-service.js';
import { openStore, type GraphInput } from '../src/store/index.js';
import { runKus } from './helpers/run-cli.js';
import { fixtureSnapshots, SKIP_NO_SHARED } from './helpers/shared-fixtures.js';
import { tempTree } from './helpers/temp-tree.js';

const snapshots = fixtureSnapshots();
const skip = snapshots.length === 0 ? SKIP_NO_SHARED : false;

/** Every (channel, arch) body the server would send. */
function servedBodies(graph: Graph): Map<string, string> {
  const views = new GraphViews(graph);
  const bodies = new Map<string, string>();
  for (const channel of views.channels()) {
    for (const arch of views.arches()) bodies.set(`${channel} ${arch}`, serializeServed(views.render(channel, arch)));
  }
  return bodies;
}

const served = (input: GraphInput): Map<string, string> => servedBodies(buildGraph(input).graph);

t.test('import → export → import on the shared fixtures', { skip }, async (t) => {
  for (const s of snapshots) {
    const work = tempTree(t);
    const a = openStore(path.join(work, 'a.db'));
    const b = openStore(path.join(work, 'b.db'));
    t.teardown(() => {
      a.close();
      b.close();
    });
    const first = importGraphData(a, { graphDataDir: s.graphData, rawFile: s.rawFile });
    t.ok(first.releases > 100, `${s.name}: releases imported from the raw graph (${first.releases})`);
    t.ok(first.channels > 0);
    const exported = exportGraphData(a, path.join(work, 'export'));
    t.equal(exported.releases, first.releases);
    importGraphData(b, { graphDataDir: path.join(work, 'export') });

    const inputA = a.loadGraphInput();
    const inputB = b.loadGraphInput();
    t.same(inputB, inputA, `${s.name}: the two stores hold the same input`);

    const bodiesA = served(inputA);
    const bodiesB = served(inputB);
    t.ok(bodiesA.size >= first.channels, `${s.name}: ${bodiesA.size} (channel, arch) views`);
    t.same([...bodiesB.keys()], [...bodiesA.keys()], `${s.name}: same channels and arches`);
    for (const [key, body] of bodiesA) t.equal(bodiesB.get(key), body, `${s.name}: ${key} served identically`);

    // The store's releases (converted from the raw document) serve what the raw document itself serves.
    const raw = parseRawGraph(JSON.parse(readFileSync(s.rawFile, 'utf8')));
    const direct = servedBodies(buildGraph({ raw, graphData: readGraphData(s.graphData, { strict: false }).data }).graph);
    t.same([...bodiesA.keys()], [...direct.keys()], `${s.name}: same views as building from the raw document`);
    for (const [key, body] of direct) t.equal(bodiesA.get(key), body, `${s.name}: ${key} as built from the raw document`);
  }
});

t.test('kus import / kus export on the command line, human and --json', { skip }, async (t) => {
  const s = snapshots[0]!;
  const work = tempTree(t);
  const db = path.join(work, 'kus.db');
  const imported = runKus(['import', '--db', db, '--graph-data', s.graphData, '--raw', s.rawFile, '--json']);
  t.equal(imported.status, 0, imported.stderr);
  const report = JSON.parse(imported.stdout) as Record<string, unknown>;
  t.match(report, { db, graphDataDir: s.graphData, rawFile: s.rawFile, schemaVersion: '1.0.0', conditionalEdges: 0, warnings: [] });
  t.ok((report.releases as number) > 100);

  const exported = runKus(['export', '--graph-data', path.join(work, 'out')], { KUS_DB: db });
  t.equal(exported.status, 0, exported.stderr);
  t.match(exported.stdout, new RegExp(`^exported ${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} to `));
  const again = runKus(['import', '--db', path.join(work, 'again.db'), '--graph-data', path.join(work, 'out')]);
  t.equal(again.status, 0, again.stderr);
  t.match(again.stdout, new RegExp(`${report.releases as number} releases, ${report.channels as number} channels`));

  const a = openStore(db);
  const b = openStore(path.join(work, 'again.db'));
  t.same(b.loadGraphInput(), a.loadGraphInput());
  t.match(a.audit.list(), [{ actor: 'cli', action: 'graph-data.import', target: s.graphData, before: null }]);
  a.close();
  b.close();
});

t.test('seedStoreIfEmpty seeds only an empty store', { skip }, async (t) => {
  const s = snapshots[0]!;
  const store = openStore(path.join(tempTree(t), 'kus.db'));
  t.teardown(() => store.close());
  t.equal(seedStoreIfEmpty(store, { graphDataDir: s.graphData }), true);
  const seeded = store.loadGraphInput();
  t.ok(seeded.graphData.channels.length > 0);
  t.equal(seedStoreIfEmpty(store, { graphDataDir: s.graphData, rawFile: s.rawFile }), false, 'second call does nothing');
  t.same(store.loadGraphInput(), seeded);
  t.match(store.audit.list(), [{ actor: 'seed', action: 'graph-data.import' }]);
});
