// Where the shared conformance data lives (../shared beside the repository), and a visible skip when it is absent.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const sharedDir = path.resolve(repoRoot, '..', 'shared');
export const fixturesDir = path.join(sharedDir, 'conformance', 'cincinnati-fixtures');
export const e2eDir = path.join(sharedDir, 'conformance', 'cincinnati-e2e');

/** tap's `skip` option: a message when ../shared is missing (a fresh clone outside CI), else false. */
export function sharedSkip(): string | false {
  return existsSync(sharedDir) ? false : `../shared is absent (${sharedDir}): shared conformance data not available in this checkout`;
}
