// Cincinnati graph documents as the graph-builder serves them: validation, conversion to a working graph,
// and to releases (so a graph-builder snapshot can be imported into the store).
import { KusError, quote } from '../errors/index.js';
import { Graph } from './graph.js';
import { KEY } from './keys.js';
import { formatSemver, parseSemver, withBuild } from './semver.js';
import { addConcreteNode } from './steps/releases-to-graph.js';
import type { BuildWarning, ConditionalGroup, Metadata, RawGraph, RawNode, Release } from './types.js';

function fail(message: string): never {
  throw new KusError('KUS_ERR_RAW_GRAPH', message);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseNode(value: unknown, i: number): RawNode {
  if (!isObject(value)) fail(`nodes[${i}] is not an object`);
  const { version, payload, metadata } = value;
  if (typeof version !== 'string' || version === '') fail(`nodes[${i}].version must be a non-empty string`);
  const node: RawNode = { version };
  if (payload !== undefined && payload !== null) {
    if (typeof payload !== 'string') fail(`nodes[${i}] (${quote(version)}) has a payload that is not a string`);
    node.payload = payload;
  }
  if (metadata !== undefined && metadata !== null) {
    if (!isObject(metadata)) fail(`nodes[${i}] (${quote(version)}) has metadata that is not an object`);
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') fail(`nodes[${i}] (${quote(version)}) has metadata ${quote(k)} that is not a string`);
    }
    node.metadata = metadata as Metadata;
  }
  return node;
}

/** Validates a graph document: nodes with unique versions, edges as in-range index pairs. */
export function parseRawGraph(json: unknown): RawGraph {
  if (!isObject(json)) fail('a graph document must be a JSON object');
  if (!Array.isArray(json.nodes)) fail('the graph document has no "nodes" array');
  if (!Array.isArray(json.edges)) fail('the graph document has no "edges" array');
  const nodes = json.nodes.map(parseNode);
  const seen = new Set<string>();
  for (const n of nodes) {
    if (seen.has(n.version)) fail(`node version ${quote(n.version)} appears twice`);
    seen.add(n.version);
  }
  const edges = json.edges.map((e: unknown, i: number): [number, number] => {
    if (!Array.isArray(e) || e.length !== 2 || !e.every((x) => Number.isInteger(x) && x >= 0 && x < nodes.length)) {
      fail(`edges[${i}] ${quote(e)} is not a pair of node indices below ${nodes.length}`);
    }
    return [e[0] as number, e[1] as number];
  });
  const raw: RawGraph = { nodes, edges };
  if (Array.isArray(json.conditionalEdges)) raw.conditionalEdges = json.conditionalEdges as ConditionalGroup[];
  return raw;
}

const isConcrete = (n: RawNode): boolean => n.payload !== undefined || n.metadata !== undefined;

/** A working graph from a document; placeholders are nodes with a version only. */
export function graphFromRaw(raw: RawGraph): Graph {
  const graph = new Graph();
  for (const n of raw.nodes) {
    if (isConcrete(n)) {
      addConcreteNode(graph, { version: n.version, concrete: true, payload: n.payload ?? '', metadata: new Map(Object.entries(n.metadata ?? {})) });
    } else {
      graph.addPlaceholder(n.version);
    }
  }
  for (const [from, to] of raw.edges) graph.addEdge(raw.nodes[from]!.version, raw.nodes[to]!.version);
  graph.assertAcyclic();
  return graph;
}

/** The version a previous/next entry must carry so that step A recreates `version` next to a node of `build`. */
function entryFor(version: string, build: readonly string[]): string | null {
  const v = parseSemver(version);
  if (!v || v.build.join('.') !== build.join('.')) return null;
  return formatSemver(withBuild(v, []));
}

/**
 * Releases that rebuild the same graph through step A: each edge becomes a `previous` entry of its concrete target
 * (or a `next` entry of its concrete source when the target is a placeholder).
 */
export function releasesFromRawGraph(raw: RawGraph): { releases: Release[]; warnings: BuildWarning[] } {
  const warnings: BuildWarning[] = [];
  const warn = (message: string): void => void warnings.push({ step: 'raw-graph-to-releases', message });
  const byIndex = new Map<number, Release>();
  const builds = new Map<number, readonly string[]>();
  raw.nodes.forEach((n, i) => {
    if (!isConcrete(n)) return;
    const { [KEY.arch]: arch, [KEY.manifestref]: manifestref, ...metadata } = n.metadata ?? {};
    const parsed = parseSemver(n.version);
    let version = n.version;
    if (arch !== undefined) {
      if (!parsed || parsed.build.join('.') !== arch) {
        warn(`node ${quote(n.version)} has architecture ${quote(arch)} that its version does not carry; it is imported as ${quote(arch)}`);
      }
      if (parsed) version = formatSemver(withBuild(parsed, []));
    }
    byIndex.set(i, { version, arch: arch ?? null, payload: n.payload ?? '', digest: manifestref ?? null, metadata, previous: [], next: [] });
    builds.set(i, parsed?.build ?? []);
  });
  for (const [from, to] of raw.edges) {
    const source = raw.nodes[from]!.version;
    const target = raw.nodes[to]!.version;
    const targetRelease = byIndex.get(to);
    const sourceRelease = byIndex.get(from);
    if (targetRelease) {
      const entry = entryFor(source, builds.get(to)!);
      if (entry !== null) targetRelease.previous.push(entry);
      else warn(`edge ${quote(source)} → ${quote(target)} joins different architectures and cannot be expressed as "previous"; dropped`);
    } else if (sourceRelease) {
      const entry = entryFor(target, builds.get(from)!);
      if (entry !== null) sourceRelease.next.push(entry);
      else warn(`edge ${quote(source)} → ${quote(target)} joins different architectures and cannot be expressed as "next"; dropped`);
    } else {
      warn(`edge ${quote(source)} → ${quote(target)} joins two placeholders; dropped`);
    }
  }
  return { releases: [...byIndex.values()], warnings };
}
