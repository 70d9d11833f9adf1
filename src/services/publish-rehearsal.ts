// A build worker's first publishes run its build and render code in V8's slower tiers. At upstream scale the first two
// publishes after a server started took 180–360 ms to show, against 60–120 ms once the worker had made a few
// (`npm run bench`, the first publishing round of every run). So a worker that has built what its server serves, and
// has nothing else to do, rehearses a few publishes first: each planned as the Publisher plans one, built on the last
// build as a write's build is, and its changed bodies rendered and gzipped. Nothing is stored, sent or kept but the
// compiled code (docs/architecture.md, "A primary's worker rehearses its first publishes").
import crypto from 'node:crypto';
import { buildByArch, type PartitionedBuild, type Release } from '../graph/index.js';
import { parsePullSpec, payloadOf } from '../registry/pull-spec.js';
import type { GraphInput } from '../store/index.js';
import { GenerationRenderer } from './graph-render.js';
import { planAddRelease } from './publish/releases.js';
import type { BodyDigests } from './rendered-bodies.js';

/** Publishes rehearsed: at upstream scale a publish's build reached its steady time after the third or fourth. */
export const REHEARSALS = 4;

/** What a rehearsal did, for the server's log; `error` when a step threw (the rehearsal then stops there). */
export interface Rehearsal {
  publishes: number;
  durationMs: number;
  error?: string;
}

/** The worker's last build, the input it was made from, and the (arch, channel, digest) of every body it rendered. */
export interface RehearsalBase {
  built: PartitionedBuild;
  input: GraphInput;
  contents: ReadonlyArray<readonly [arch: string, channel: string, digest: string]>;
}

/**
 * Rehearses `count` publishes one after another on `base`, each adding a release after the newest of the architecture
 * with the most releases, into a channel that lists that release. `digests` are those of the bodies the server holds,
 * which a write's render compares with. `base` is not changed: the graph engine builds new parts and shares only
 * frozen edge lists (graph/partitioned-build.ts).
 */
export function rehearsePublishes(base: RehearsalBase, digests: BodyDigests, count = REHEARSALS): Rehearsal {
  const started = performance.now();
  const served = new Map([...digests].map(([key, [, stamp]]) => [key, stamp]));
  let publishes = 0;
  const done = (error?: unknown): Rehearsal => ({
    publishes, durationMs: performance.now() - started, ...(error === undefined ? {} : { error: error instanceof Error ? error.message : String(error) }),
  });
  // Whatever throws stops the rehearsal only: the worker goes on serving writes.
  try {
    const basis = base.built.basis;
    const newest = newestOfLargestArch(base.input.releases);
    // Input that is built whole renders every body on every write: nothing a rehearsal would warm is worth that.
    if (basis === undefined || newest === undefined) return done();
    const renderer = new GenerationRenderer();
    renderer.seed(basis.parts, base.contents);
    const channel = base.input.graphData.channels.find((c) => c.versions.includes(newest.version));
    let input = base.input;
    let built = base.built;
    let release = newest;
    while (publishes < count) {
      const plan = planAddRelease(input, {
        version: `0.0.0-kus.rehearsal.${publishes + 1}`,
        arch: release.arch!,
        payload: payloadOf(parsePullSpec(newest.payload), `sha256:${crypto.createHash('sha256').update(`kus rehearsal ${publishes + 1} ${newest.payload}`).digest('hex')}`),
        metadata: newest.metadata,
        previous: [release.version],
        channels: channel === undefined ? [] : [channel.name],
      });
      if (!plan.changed) return done(`the store already holds ${plan.value.version}`);
      built = buildByArch(plan.candidate, built);
      renderer.render(built, performance.now(), served, digests);
      input = plan.candidate;
      release = plan.value;
      publishes++;
    }
    return done();
  } catch (error) {
    return done(error);
  }
}

/** The last release, in input order, of the architecture with the most releases. */
function newestOfLargestArch(releases: readonly Release[]): Release | undefined {
  const counts = new Map<string, number>();
  for (const r of releases) if (r.arch !== null) counts.set(r.arch, (counts.get(r.arch) ?? 0) + 1);
  let arch: string | undefined;
  for (const [a, n] of counts) if (arch === undefined || n > counts.get(arch)!) arch = a;
  return arch === undefined ? undefined : releases.findLast((r) => r.arch === arch);
}
