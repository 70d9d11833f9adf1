// Locates the shared upstream fixtures (../shared beside the repository); tests skip visibly when they are absent.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedDir = path.resolve(repoRoot, '../shared');
export const fixturesDir = path.join(sharedDir, 'conformance/cincinnati-fixtures');

/** Snapshot directories holding cincinnati-graph-data/ and graph-gb-raw.json; empty when ../shared is absent. */
export function fixtureSnapshots(): Array<{ name: string; graphData: string; rawFile: string }> {
  if (!existsSync(fixturesDir)) return [];
  return readdirSync(fixturesDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(fixturesDir, e.name, 'cincinnati-graph-data')))
    .map((e) => ({
      name: e.name,
      graphData: path.join(fixturesDir, e.name, 'cincinnati-graph-data'),
      rawFile: path.join(fixturesDir, e.name, 'graph-gb-raw.json'),
    }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

export const SKIP_NO_SHARED = `shared fixtures not found at ${fixturesDir}`;
