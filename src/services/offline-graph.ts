// Builds graphs from files without a store: what `kus graph build` and `kus graph query` run, so any upstream
// fixture can be checked from outside. Graph-data is read the lenient way upstream reads it.
import { readFileSync } from 'node:fs';
import { KusError, quote } from '../errors/index.js';
import { buildGraph, parseRawGraph, type BuildResult, type BuildWarning } from '../graph/index.js';
import { readGraphData } from '../graph-data/index.js';
import { trialBuild } from './trial-build.js';

export interface OfflineGraphInput {
  /** A graph-builder JSON document (e.g. graph-gb-raw.json). */
  rawFile?: string;
  /** A graph-data directory; without rawFile its releases/ provide the releases. */
  graphDataDir?: string;
  /** Run upstream's optional node-remove step. */
  nodeRemove?: boolean;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new KusError('KUS_ERR_IO', `cannot read ${quote(file)}: ${(err as Error).message}`, { file });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new KusError('KUS_ERR_RAW_GRAPH', `${quote(file)} is not JSON: ${(err as Error).message}`, { file });
  }
}

export function buildOfflineGraph(input: OfflineGraphInput): BuildResult {
  if (!input.rawFile && !input.graphDataDir) throw new KusError('KUS_ERR_USAGE', 'give --raw FILE, --graph-data DIR, or both');
  const warnings: BuildWarning[] = [];
  let graphData;
  let releases;
  if (input.graphDataDir) {
    const read = readGraphData(input.graphDataDir, { strict: false });
    for (const p of read.problems) warnings.push({ step: 'read-graph-data', message: `${p.severity}: ${p.file}: ${p.reason}` });
    graphData = read.data;
    releases = read.releases;
  }
  const raw = input.rawFile ? parseRawGraph(readJson(input.rawFile)) : undefined;
  const build = { ...(raw ? { raw } : { releases }), ...(graphData ? { graphData } : {}), nodeRemove: input.nodeRemove === true };
  // From releases/ files, a cycle names the files that declare it.
  const result = !raw && releases && input.graphDataDir ? trialBuild({ ...build, releases }, input.graphDataDir) : buildGraph(build);
  return { ...result, warnings: [...warnings, ...result.warnings] };
}
