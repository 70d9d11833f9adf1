// The build every graph-data intake runs before writing (import, bundle import, replica sync): what would abort a
// rebuild is refused there, and a cycle names the files whose previous/next declare its edges.
import { isKusError, KusError, quote } from '../errors/index.js';
import { buildGraph, releaseNodeVersion, type BuildInput, type BuildResult, type Release } from '../graph/index.js';
import { RELEASES_DIR, releaseFileName } from '../graph-data/index.js';

/** Where a release came from: by default its file in the graph-data's releases/ folder. */
export type ReleaseSource = (release: Release) => string;

export const releaseFileOf: ReleaseSource = (r) => `${RELEASES_DIR}/${releaseFileName(r)}`;

export type ReleasesInput = BuildInput & { releases: readonly Release[] };

/**
 * `build` (buildGraph by default), with KUS_ERR_CYCLE naming the files (of `source`) that declare the cycle's edges.
 * A replica's sync passes the build worker's WarmGraph build, which reuses the architectures a snapshot left alone.
 */
export function trialBuild(
  input: ReleasesInput, source: string, fileOf: ReleaseSource = releaseFileOf, build: (input: ReleasesInput) => BuildResult = buildGraph,
): BuildResult {
  try {
    return build(input);
  } catch (err) {
    if (!isKusError(err) || err.code !== 'KUS_ERR_CYCLE') throw err;
    const details = err.details ?? {};
    const nodes = Array.isArray(details.cycle) ? (details.cycle as string[]) : [details.from, details.to].filter((v): v is string => typeof v === 'string');
    const onCycle = new Set(nodes);
    const files = [...new Set(input.releases.filter((r) => onCycle.has(releaseNodeVersion(r))).map(fileOf))].sort();
    if (files.length === 0) throw err;
    throw new KusError('KUS_ERR_CYCLE', `${err.message}; its edges come from the previous/next of ${files.map((f) => quote(f)).join(', ')} in ${quote(source)}`,
      { ...details, files, source }, { cause: err });
  }
}
