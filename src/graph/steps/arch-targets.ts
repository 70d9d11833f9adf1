// Which node versions a blocked-edge `to` designates (graph-semantics §6.4.2).
import { formatSemver, withBuild, type SemVer } from '../semver.js';

/** Rule 3: the version once per build list present in the graph (the build written in `to` is overwritten). */
export function everyArchitecture(to: SemVer, builds: ReadonlyArray<readonly string[]>): string[] {
  return builds.map((b) => formatSemver(withBuild(to, b)));
}

/** Plain blocked edges: an explicit build selects one node; the legacy `-s390x` pre-release selects the s390x node. */
export function plainBlockTargets(to: SemVer, builds: ReadonlyArray<readonly string[]>): string[] {
  if (to.build.length > 0) return [formatSemver(to)];
  if (to.pre.length === 1 && to.pre[0] === 's390x') return [formatSemver(withBuild(to, ['s390x']))];
  return everyArchitecture(to, builds);
}
