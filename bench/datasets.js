// The two benchmark datasets: the larger upstream fixture snapshot and a generated OpenShift-scale graph.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ARCHES, DEFAULT_LAST_MINOR, generateGraphData } from './generate.js';

const FIXTURE = 'conformance/cincinnati-fixtures/20200319.204124';
const ARCH_KEY = 'io.openshift.upgrades.graph.release.arch';

/** Channel names declared in a graph-data tree (the `name` of each channels/*.yaml). */
function channelNames(graphData) {
  const dir = path.join(graphData, 'channels');
  return fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()
    .map((f) => parse(fs.readFileSync(path.join(dir, f), 'utf8'))?.name)
    .filter((name) => typeof name === 'string');
}

/** The upstream snapshot, or null (with the reason) when ../shared is not there. */
export function fixtureDataset(repoRoot) {
  const root = path.resolve(repoRoot, '../shared', FIXTURE);
  if (!fs.existsSync(root)) return { skipped: `${root} is absent` };
  const graphData = path.join(root, 'cincinnati-graph-data');
  const raw = path.join(root, 'graph-gb-raw.json');
  const nodes = JSON.parse(fs.readFileSync(raw, 'utf8')).nodes;
  const arches = [...new Set(nodes.map((n) => n.metadata?.[ARCH_KEY]).filter(Boolean))].sort();
  return {
    name: 'fixture',
    description: `upstream snapshot ${path.basename(root)} (${nodes.length} raw nodes, graph-data + graph-gb-raw.json)`,
    graphData,
    raw,
    channels: channelNames(graphData),
    arches,
  };
}

/** Generates the OpenShift-scale graph-data tree under `dir`. */
export function generatedDataset(dir, seed) {
  const graphData = path.join(dir, 'graph-data');
  const stats = generateGraphData(graphData, { seed, lastMinor: DEFAULT_LAST_MINOR });
  return {
    name: 'generated',
    description: `seed ${seed}: ${stats.releases} releases, ${stats.arches} arches, ${stats.channels} channels, ` +
      `${stats.previousEntries} previous entries, ${stats.blockedEdgeFiles} blocked-edge files (${stats.blockedEdges} plain, ` +
      `${stats.conditionalEdges} risks: ${stats.promqlRisks} PromQL, ${stats.alwaysRisks} Always)`,
    graphData,
    raw: null,
    channels: channelNames(graphData),
    arches: ARCHES,
    // The request issue 9 measured (162 nodes upstream; about 150 here).
    defaultRequest: 'stable-4.18/amd64',
    stats,
  };
}
