// When each edge was first served (docs/fleet.md, "how long updates took"), noted by the build worker as it renders a
// generation. The serving thread used to parse every served body for this once per generation (43 MB of JSON at
// upstream scale, seconds of CPU and hundreds of MB of heap on the thread that answers clusters); here only the
// (channel, arch) contents whose digest differs from the one last noted are read, from the views the worker already
// holds, one short transaction per body.
import type { GraphViews } from '../../graph/index.js';
import type { FleetRepository } from '../../store/index.js';
import type { BodyContent } from '../rendered-bodies.js';

/**
 * Notes the edges of every changed content into fleet_target_offers (first time wins) at `at`; returns how many bodies
 * were read. Edges are those of the body without rollouts: an edge counts as offered from the first time any cluster of
 * the channel could be shown it. A body that cannot be rendered (a non-SemVer version) has no edges to offer.
 */
export function noteFirstServed(repository: FleetRepository, viewsOf: (arch: string) => GraphViews, bodies: readonly BodyContent[], at: number): number {
  const noted = repository.offerBodyDigests();
  let read = 0;
  for (const { channel, arch, digest } of bodies) {
    if (noted.get(`${arch}\u0000${channel}`) === digest) continue;
    const edges: Array<[string, string]> = [];
    const views = viewsOf(arch);
    if (views.renderError(channel, arch) === null) {
      const graph = views.render(channel, arch);
      const version = (i: number): string => graph.nodes[i]!.version;
      for (const [a, b] of graph.edges) edges.push([version(a), version(b)]);
      for (const group of graph.conditionalEdges) for (const e of group.edges) edges.push([e.from, e.to]);
    }
    repository.recordBodyOffers(channel, arch, digest, edges, at);
    read++;
  }
  return read;
}
