// Upstream's graph-data fixtures (shared/conformance/cincinnati-fixtures), compared the way upstream compares
// them (shared/spec/fixtures.md §1.3–1.4), in-process and through `kus graph build`.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildGraph, parseRawGraph, KEY, type RawGraph } from '../src/graph/index.js';
import { readGraphData } from '../src/graph-data/index.js';
import { comparable, differences } from './helpers/compare-graphs.js';
import { fixturesDir, repoRoot, sharedSkip } from './helpers/shared.js';

const skip = sharedSkip();
const cli = path.join(repoRoot, 'dist', 'cli', 'main.js');

/** What our reference runs of the upstream comparison produced (fixtures.md §1.4). */
const expected: Record<string, { nodes: number; edges: number; noPlaceholders: [number, number] }> = {
  '20200220.104838': { nodes: 112, edges: 466, noPlaceholders: [104, 450] },
  '20200319.204124': { nodes: 132, edges: 559, noPlaceholders: [120, 537] },
};

const readRaw = (file: string): RawGraph => parseRawGraph(JSON.parse(readFileSync(file, 'utf8')));

function withoutPlaceholders(raw: RawGraph): RawGraph {
  const keep = raw.nodes.map((n) => n.payload !== undefined || n.metadata !== undefined);
  const index = new Map<number, number>();
  const nodes = raw.nodes.filter((_, i) => keep[i] && index.set(i, index.size));
  const edges = raw.edges.filter(([f, to]) => keep[f] && keep[to]).map(([f, to]): [number, number] => [index.get(f)!, index.get(to)!]);
  return { nodes, edges };
}

const snapshots = skip ? [] : readdirSync(fixturesDir).filter((d) => existsSync(path.join(fixturesDir, d, 'graph-gb-raw.json'))).sort();

t.test('upstream parser fixtures', { skip }, async (t) => {
  t.ok(snapshots.length >= 2, 'both shared snapshots are present');
  for (const snap of snapshots) {
    t.test(snap, async (t) => {
      const dir = path.join(fixturesDir, snap);
      const graphData = readGraphData(path.join(dir, 'cincinnati-graph-data'), { strict: false }).data;
      const left = buildGraph({ raw: readRaw(path.join(dir, 'graph-gb-raw.json')), graphData }).graph;
      const right = buildGraph({ raw: readRaw(path.join(dir, 'graph-gb-with-quay-metadata.json')) }).graph;
      t.same(differences(comparable(left), comparable(right)), [], 'result equals the control graph');

      const want = expected[snap];
      if (want) {
        t.equal(left.nodes.size, want.nodes, 'node count');
        t.equal(left.edgeCount(), want.edges, 'edge count');
        t.equal(left.conditional.length, 0, 'no conditional groups in 2020 data');
        const variant = buildGraph({ raw: withoutPlaceholders(readRaw(path.join(dir, 'graph-gb-raw.json'))), graphData }).graph;
        t.same([variant.nodes.size, variant.edgeCount()], want.noPlaceholders, 'placeholders dropped before processing');
        const variantRight = buildGraph({ raw: withoutPlaceholders(readRaw(path.join(dir, 'graph-gb-with-quay-metadata.json'))) }).graph;
        t.same(differences(comparable(variant), comparable(variantRight)), [], 'the variant compares equal too');
      }

      // Spot checks of fixtures.md §1.4.
      const n410 = left.nodes.get('4.1.0+amd64')!;
      t.equal(n410.metadata.get(KEY.previousAdd), '4.1.0-rc.4,4.1.0-rc.9');
      t.equal(n410.metadata.get(KEY.channels), 'prerelease-4.1,stable-4.1');
      t.same([...left.parents.get('4.1.0+amd64')!].sort(), ['4.1.0-rc.4+amd64', '4.1.0-rc.9+amd64']);
      const n420 = left.nodes.get('4.2.0+amd64')!;
      t.equal(n420.metadata.get(KEY.previousRemoveRegex), '4\\.1\\.20');
      t.equal(n420.metadata.get(KEY.channels), 'candidate-4.2,fast-4.2,stable-4.2');
      t.same([...left.parents.get('4.2.0+amd64')!].sort(), ['4.2.0-rc.4+amd64', '4.2.0-rc.5+amd64']);
      t.equal(left.nodes.get('4.2.13-s390x+s390x')!.metadata.get(KEY.previousRemoveRegex), '.*');
      t.same([...left.parents.get('4.2.13-s390x+s390x')!], []);
      t.equal(left.nodes.get('4.3.0-rc.3+amd64')!.metadata.get(KEY.previousRemoveRegex), '4\\.2\\..*');
      t.same([...left.parents.get('4.3.0-rc.3+amd64')!].sort(), ['4.3.0-rc.0+amd64', '4.3.0-rc.1+amd64', '4.3.0-rc.2+amd64']);
    });
  }
});

t.test('kus graph build reproduces the comparison from outside', { skip }, async (t) => {
  t.ok(existsSync(cli), 'the CLI is built (npm test builds it first)');
  for (const snap of snapshots) {
    const dir = path.join(fixturesDir, snap);
    const build = (...args: string[]): RawGraph => parseRawGraph(JSON.parse(execFileSync('node', [cli, 'graph', 'build', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 })));
    const left = build('--raw', path.join(dir, 'graph-gb-raw.json'), '--graph-data', path.join(dir, 'cincinnati-graph-data'));
    const right = build('--raw', path.join(dir, 'graph-gb-with-quay-metadata.json'));
    t.same(differences(comparable(left), comparable(right)), [], `${snap}: CLI result equals the control graph`);
    t.ok(left.nodes.some((n) => n.payload === undefined && n.metadata === undefined), `${snap}: placeholders are printed as {version}`);
    t.ok(left.nodes.every((n) => n.metadata === undefined || KEY.arch in n.metadata), `${snap}: the arch label is kept in the full graph`);
  }
});
