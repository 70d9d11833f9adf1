// Builds the graph one architecture at a time, reusing from the previous build every architecture a change leaves
// alone. No edge crosses architectures (step A gives each previous/next the naming release's arch, and labels get the
// carrying node's), and every step acts on a node through its own metadata and its own parents, so an architecture's
// part of a whole build equals a build of that architecture's releases alone. A publish then builds one part of four
// at upstream scale instead of the whole graph (docs/architecture.md, "Incremental builds").
import { Graph } from './graph.js';
import { KEY } from './keys.js';
import { buildGraph, type BuildInput, type BuildResult } from './pipeline.js';
import { keyIgnoringBuild, parseSemver } from './semver.js';
import { riskIds } from './risk-ids.js';
import { extendedGraph, graphFromReleases, type ReleasesGraph } from './steps/releases-to-graph.js';
import type { BuildWarning, ChannelDoc, ConditionalGroup, GraphData, Release } from './types.js';

/**
 * One architecture's releases and the graph built from them alone. Never changed once built: later builds share it.
 * A part of a deferred build (deferredBuild) builds its graph when first read; until then what the server said of it
 * (its warnings, its release count) stands in.
 */
export interface Part {
  readonly releases: readonly Release[];
  readonly graph: Graph;
  /** The graph if it is built already; reading this never builds it. */
  readonly built: Graph | undefined;
  readonly warnings: readonly BuildWarning[];
  /**
   * The versions (ignoring build metadata) of its releases: what a channel entry names to change this part. Taken from
   * the releases, not the graph, so a part not built yet has them; a release the node-remove step drops is counted
   * too, which can only make a part be rebuilt when it need not.
   */
  readonly versions: ReadonlySet<string>;
  /** Releases the graph serves (its concrete nodes). */
  readonly concrete: number;
  /**
   * Step A of its releases once built, unchanged: the next build of this architecture extends it (extendedGraph, which
   * checks that the releases do extend it). A deferred part offers the step A it was given until it is built.
   */
  readonly stepA: ReleasesGraph | undefined;
}

/** What the server holds of one architecture's part of the graph it serves: enough to stand in for a part not built. */
export interface PartSeed {
  warnings: readonly BuildWarning[];
  concrete: number;
}

/** What the next build compares its input with; absent when the graph could not be built by parts. */
export interface BuildBasis {
  readonly graphData: GraphData | undefined;
  readonly nodeRemove: boolean;
  readonly parts: ReadonlyMap<string, Part>;
}

export interface PartitionedBuild extends BuildResult {
  basis: BuildBasis | undefined;
  /** The architectures whose part was taken from the previous build unchanged (their bodies are too). */
  reused: ReadonlySet<string>;
}

type ReleasesInput = Omit<BuildInput, 'raw'> & { releases: readonly Release[] };

export interface ByArchOptions {
  /**
   * Keep each built part's step A for the next build to extend (default). Pointless when the next input is read anew
   * (a replica's sync: its releases are new objects, which extendedGraph never extends), and then it only costs memory.
   */
  keepStepA?: boolean;
}

/**
 * buildGraph's result for `input`, built by architecture. With `previous` (the build of an earlier input), a part whose
 * releases are the same and that no changed channel entry names is taken over instead of built again. Input that does
 * not split cleanly (a release without an architecture, an architecture set by raw metadata) is built whole.
 */
export function buildByArch(input: ReleasesInput, previous?: PartitionedBuild, options: ByArchOptions = {}): PartitionedBuild {
  const whole = (): PartitionedBuild => ({ ...buildGraph(input), basis: undefined, reused: new Set() });
  const byArch = splitByArch(input);
  if (byArch === undefined) return whole();
  const keep = previous?.basis === undefined ? undefined : reusableParts(previous.basis, input);
  const parts = new Map<string, Part>();
  const reused = new Set<string>();
  for (const [arch, releases] of byArch) {
    const old = keep?.get(arch);
    if (old !== undefined && sameReleases(old.releases, releases)) {
      parts.set(arch, old);
      reused.add(arch);
      continue;
    }
    parts.set(arch, builtPart(input, releases, previous?.basis?.parts.get(arch)?.stepA, options.keepStepA ?? true));
  }
  return assemble(input, parts, reused);
}

/**
 * The build of `input` with every part deferred: built only when something reads its graph, the seed standing in for
 * it until then. For a build worker started afresh, when the server says the graph it serves was built from exactly
 * this input: the next write then builds only the parts it changes, extending the step A of `stepAs` where its
 * releases allow. Undefined when the input does not split by architecture or the seeds do not name exactly its
 * architectures.
 */
export function deferredBuild(
  input: ReleasesInput, seeds: ReadonlyMap<string, PartSeed>, stepAs?: ReadonlyMap<string, ReleasesGraph>,
): PartitionedBuild | undefined {
  const byArch = splitByArch(input);
  if (byArch === undefined || byArch.size !== seeds.size) return undefined;
  const parts = new Map<string, Part>();
  for (const [arch, releases] of byArch) {
    const seed = seeds.get(arch);
    if (seed === undefined) return undefined;
    parts.set(arch, new DeferredPart(input, releases, seed, stepAs?.get(arch)));
  }
  return assemble(input, parts, new Set());
}

function builtPart(input: ReleasesInput, releases: readonly Release[], base: ReleasesGraph | undefined, keepStepA: boolean): Part {
  // Without a step A to keep or extend, the steps run on step A itself: no working copy, no sets copied on write.
  const stepA = keepStepA || base !== undefined ? stepAOf(releases, base) : undefined;
  const { graph, warnings } = partGraph(stepA === undefined ? wholeInput(input, releases) : partInput(input, stepA));
  let concrete = 0;
  for (const node of graph.nodes.values()) if (node.concrete) concrete++;
  return { releases, graph, built: graph, warnings, versions: releaseVersions(releases), concrete, stepA: keepStepA ? stepA : undefined };
}

/**
 * Step A of `releases`: extended from the last build's when they extend its releases, else made whole. Frozen: it is
 * kept for the next build, and the pipeline works on a copy.
 */
function stepAOf(releases: readonly Release[], base: ReleasesGraph | undefined): ReleasesGraph {
  const graph = (base && extendedGraph(base, releases)) ?? graphFromReleases(releases);
  graph.freezeEdges();
  return { releases, graph };
}

/** A part's graph, frozen once its steps are done: parts are kept from one build to the next and never changed. */
function partGraph(input: BuildInput): BuildResult {
  const built = buildGraph(input);
  built.graph.freezeEdges();
  return built;
}

/** A part's build input as a literal, not a spread of the whole input: see shapes.ts. */
function partInput(input: ReleasesInput, stepA: ReleasesGraph): BuildInput {
  return { releases: stepA.releases, stepA: stepA.graph, graphData: input.graphData, nodeRemove: input.nodeRemove };
}

/** The same for a part built without a step A made first. */
function wholeInput(input: ReleasesInput, releases: readonly Release[]): BuildInput {
  return { releases, stepA: undefined, graphData: input.graphData, nodeRemove: input.nodeRemove };
}

class DeferredPart implements Part {
  readonly warnings: readonly BuildWarning[];
  readonly concrete: number;
  readonly versions: ReadonlySet<string>;
  private made: Graph | undefined;
  private madeStepA: ReleasesGraph | undefined;

  constructor(private readonly input: ReleasesInput, readonly releases: readonly Release[], seed: PartSeed, private readonly kept?: ReleasesGraph) {
    this.warnings = seed.warnings;
    this.concrete = seed.concrete;
    this.versions = releaseVersions(releases);
  }

  get graph(): Graph {
    if (this.made === undefined) {
      this.madeStepA = stepAOf(this.releases, this.kept);
      this.made = partGraph(partInput(this.input, this.madeStepA)).graph;
    }
    return this.made;
  }

  get built(): Graph | undefined {
    return this.made;
  }

  get stepA(): ReleasesGraph | undefined {
    return this.madeStepA ?? this.kept;
  }
}

function assemble(input: ReleasesInput, parts: ReadonlyMap<string, Part>, reused: ReadonlySet<string>): PartitionedBuild {
  const graphData = input.graphData;
  // Merged when first read: the build worker renders each part on its own and never needs the whole graph.
  let graph: Graph | undefined;
  return {
    get graph(): Graph {
      return (graph ??= mergeParts([...parts.values()]));
    },
    warnings: mergeWarnings([...parts.values()]),
    rollouts: graphData?.rollouts ?? [],
    canaries: graphData?.canaries ?? [],
    basis: { graphData, nodeRemove: input.nodeRemove ?? false, parts },
    reused,
  };
}

/**
 * Releases by architecture in input order, or undefined when some release has none, raw metadata sets one, or one
 * reads as a list (the served views split the arch label on commas; a part must serve exactly one architecture).
 */
function splitByArch(input: ReleasesInput): Map<string, Release[]> | undefined {
  if (input.releases.length === 0) return undefined;
  if (input.graphData?.rawMetadata.some(([, entries]) => KEY.arch in entries)) return undefined;
  const byArch = new Map<string, Release[]>();
  for (const release of input.releases) {
    if (release.arch === null || release.arch.includes(',') || release.arch.trim() !== release.arch) return undefined;
    const list = byArch.get(release.arch);
    if (list) list.push(release);
    else byArch.set(release.arch, [release]);
  }
  return byArch;
}

function releaseVersions(releases: readonly Release[]): Set<string> {
  const versions = new Set<string>();
  for (const release of releases) {
    const v = parseSemver(release.version);
    if (v) versions.add(keyIgnoringBuild(v));
  }
  return versions;
}

/**
 * The parts of `basis` that `input` may reuse (each still to be checked for the same releases): none when anything
 * but channels and rollouts changed in the graph-data, else the parts that no added or removed channel entry names.
 */
function reusableParts(basis: BuildBasis, input: ReleasesInput): ReadonlyMap<string, Part> | undefined {
  if (basis.nodeRemove !== (input.nodeRemove ?? false)) return undefined;
  const before = basis.graphData;
  const after = input.graphData;
  if (before === undefined || after === undefined) return before === after ? basis.parts : undefined;
  if (before.schemaVersion !== after.schemaVersion) return undefined;
  if (!sameList(before.rawMetadata, after.rawMetadata) || !sameList(before.blockedEdges, after.blockedEdges)) return undefined;
  if (!sameList(before.conditionalEdges, after.conditionalEdges)) return undefined;
  const touched = changedChannelVersions(before.channels, after.channels);
  if (touched === undefined) return undefined;
  if (touched.size === 0) return basis.parts;
  const keep = new Map<string, Part>();
  for (const [arch, part] of basis.parts) if (![...touched].some((v) => part.versions.has(v))) keep.set(arch, part);
  return keep;
}

/**
 * The versions (ignoring build metadata) that some channel gained or lost, or undefined when that cannot be told
 * (a channel renamed, a file listed twice, an entry that is not SemVer, which makes the build ignore the whole file).
 */
function changedChannelVersions(before: readonly ChannelDoc[], after: readonly ChannelDoc[]): Set<string> | undefined {
  const byFile = (docs: readonly ChannelDoc[]): Map<string, ChannelDoc> | undefined => {
    const map = new Map(docs.map((d) => [d.file, d]));
    return map.size === docs.length ? map : undefined;
  };
  const old = byFile(before);
  const now = byFile(after);
  if (old === undefined || now === undefined) return undefined;
  const touched = new Set<string>();
  const note = (entries: readonly string[]): boolean => {
    for (const entry of entries) {
      const v = parseSemver(entry);
      if (v === null) return false;
      touched.add(keyIgnoringBuild(v));
    }
    return true;
  };
  for (const [file, doc] of old) {
    const next = now.get(file);
    if (next === doc) continue;
    if (next === undefined) {
      if (!note(doc.versions)) return undefined;
      continue;
    }
    if (next.name !== doc.name) return undefined;
    const had = new Set(doc.versions);
    const has = new Set(next.versions);
    if (!note(doc.versions.filter((e) => !has.has(e))) || !note(next.versions.filter((e) => !had.has(e)))) return undefined;
    // Unchanged entries are not noted, but a file with a bad one is ignored whole: whether it is must not change.
    if (![...had].every((e) => parseSemver(e) !== null) || ![...has].every((e) => parseSemver(e) !== null)) return undefined;
  }
  for (const [file, doc] of now) if (!old.has(file) && !note(doc.versions)) return undefined;
  return touched;
}

/** Same items in the same order: the same objects, or equal as JSON (a store read gives new objects each time). */
function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && JSON.stringify(a[i]) !== JSON.stringify(b[i])) return false;
  return true;
}

function sameReleases(a: readonly Release[], b: readonly Release[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (x.version !== y.version || x.arch !== y.arch || x.payload !== y.payload || x.digest !== y.digest) return false;
    if (!sameList(x.previous, y.previous) || !sameList(x.next, y.next)) return false;
    if (JSON.stringify(x.metadata) !== JSON.stringify(y.metadata)) return false;
  }
  return true;
}

/**
 * One graph over every part: nodes and edge sets shared, not copied (parts are never changed); conditional groups
 * merged by risk content across parts, as the whole build groups them.
 */
function mergeParts(parts: readonly Part[]): Graph {
  const graph = new Graph();
  for (const { graph: part } of parts) {
    for (const [version, node] of part.nodes) {
      // Cannot happen: every node version of a part carries its architecture as build metadata (step A).
      if (graph.nodes.has(version)) throw new Error(`internal error: ${version} is in two architectures' parts`);
      graph.nodes.set(version, node);
      graph.parents.set(version, part.parents.get(version)!);
      graph.children.set(version, part.children.get(version)!);
    }
  }
  // Every part declares the same conditional edges: they come from the graph-data alone.
  graph.declarations = parts[0]?.graph.declarations ?? [];
  const idOf = riskIds();
  const groups = new Map<string, ConditionalGroup[]>();
  for (const { graph: part } of parts) {
    for (const group of part.conditional) {
      const key = group.risks.length === 1 ? String(idOf(group.risks[0]!)) : group.risks.map(idOf).join(',');
      const same = groups.get(key);
      if (same) same.push(group);
      else groups.set(key, [group]);
    }
  }
  // A part's own group is shared when no other part has that risk list; merged lists are new arrays (parts stay as built).
  graph.conditional = [...groups.values()].map((same) =>
    same.length === 1 ? same[0]! : { edges: ([] as ConditionalGroup['edges']).concat(...same.map((g) => g.edges)), risks: same[0]!.risks });
  return graph;
}

/** Each part's warnings; those about the graph-data itself, which every part gives, once. */
function mergeWarnings(parts: readonly Part[]): BuildWarning[] {
  const seen = new Set<string>();
  const out: BuildWarning[] = [];
  for (const part of parts) {
    for (const w of part.warnings) {
      const key = `${w.step}\u0000${w.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(w);
    }
  }
  return out;
}
