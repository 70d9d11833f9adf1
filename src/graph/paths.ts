// The path finder: shortest update paths from A to B in one served graph (one channel, one arch), and when there is
// none, why. Pure: it reads the served graph document (the bytes clusters get) and the blocked-edge declarations.
import { regexSearch } from './regex.js';
import { baseOf, isStrictSemver } from './semver.js';
import type { BlockedEdgeDoc, ServedGraph } from './types.js';

/** One update step; `risks` names the risks of a conditional hop (empty for a recommended one). */
export interface PathHop {
  from: string;
  to: string;
  risks: string[];
}

export type PathProblemCode =
  | 'invalid-version'
  | 'same-version'
  | 'arch-not-served'
  | 'from-not-in-channel'
  | 'to-not-in-channel'
  | 'blocked'
  | 'conditional-only'
  | 'no-path';

export interface PathProblem {
  code: PathProblemCode;
  message: string;
  /** For `blocked`: the declaring file under blocked-edges/. */
  file?: string;
  /** For `blocked`: the declared edge (`from` is the declaration's regular expression). */
  edge?: { from: string; to: string };
}

export interface PathAnswer {
  channel: string;
  arch: string;
  from: string;
  to: string;
  /** Shortest paths using only recommended (unconditional) edges; empty when there is none. */
  recommended: PathHop[][];
  /** Shortest paths when conditional edges may be taken too (each conditional hop names its risks). */
  withConditional: PathHop[][];
  /** Why there is no recommended path (empty when there is one). */
  problems: PathProblem[];
}

export interface PathQuery {
  graph: ServedGraph;
  channel: string;
  arch: string;
  from: string;
  to: string;
  /** The arches that have nodes in this channel (to tell "wrong arch" from "no such channel"). */
  channelArches: readonly string[];
  /** Plain blocked-edge declarations (graph-data blocked-edges/ without a risk). */
  blocked: readonly BlockedEdgeDoc[];
  /** Most paths listed per kind (default 5). */
  limit?: number;
}

interface Adjacency {
  versions: string[];
  index: Map<string, number>;
  /** node → [target, risk names] (risk names empty for an unconditional edge) */
  out: Array<Array<[number, string[]]>>;
}

/** The served document as adjacency lists; a pair listed both ways keeps its conditional form, as the cluster does. */
export function servedAdjacency(graph: ServedGraph): Adjacency {
  const versions = graph.nodes.map((n) => n.version);
  const index = new Map<string, number>();
  versions.forEach((v, i) => { if (!index.has(v)) index.set(v, i); });
  const edges = new Map<string, string[]>();
  for (const [a, b] of graph.edges) edges.set(`${a} ${b}`, []);
  for (const group of graph.conditionalEdges) {
    for (const e of group.edges) {
      const a = index.get(e.from);
      const b = index.get(e.to);
      if (a === undefined || b === undefined) continue;
      const key = `${a} ${b}`;
      edges.set(key, [...(edges.get(key) ?? []), ...group.risks.map((r) => r.name)]);
    }
  }
  const out: Adjacency['out'] = versions.map(() => []);
  for (const [key, risks] of edges) {
    const [a, b] = key.split(' ').map(Number) as [number, number];
    out[a]!.push([b, risks]);
  }
  return { versions, index, out };
}

/** Breadth-first distances from `start`, following only edges `usable` accepts. */
function distances(adj: Adjacency, start: number, usable: (risks: string[]) => boolean): Int32Array {
  const dist = new Int32Array(adj.versions.length).fill(-1);
  dist[start] = 0;
  const queue = [start];
  for (let q = 0; q < queue.length; q++) {
    const at = queue[q]!;
    for (const [to, risks] of adj.out[at]!) {
      if (dist[to] !== -1 || !usable(risks)) continue;
      dist[to] = dist[at]! + 1;
      queue.push(to);
    }
  }
  return dist;
}

/** Up to `limit` shortest paths from start to goal, in lexical order of the versions along them. */
function shortestPaths(adj: Adjacency, start: number, goal: number, usable: (risks: string[]) => boolean, limit: number): PathHop[][] {
  const dist = distances(adj, start, usable);
  if (dist[goal] === -1) return [];
  // Predecessors on some shortest path, walked back from the goal.
  const preds: Array<Array<[number, string[]]>> = adj.versions.map(() => []);
  adj.out.forEach((targets, from) => {
    if (dist[from] === -1) return;
    for (const [to, risks] of targets) if (usable(risks) && dist[to] === dist[from]! + 1) preds[to]!.push([from, risks]);
  });
  const paths: PathHop[][] = [];
  const walk = (at: number, suffix: PathHop[]): void => {
    if (paths.length >= limit) return;
    if (at === start) {
      paths.push(suffix);
      return;
    }
    const sorted = [...preds[at]!].sort((x, y) => adj.versions[x[0]]!.localeCompare(adj.versions[y[0]]!));
    for (const [from, risks] of sorted) {
      walk(from, [{ from: adj.versions[from]!, to: adj.versions[at]!, risks }, ...suffix]);
    }
  };
  walk(goal, []);
  return paths;
}

/** Nodes that can reach `goal` (reverse breadth-first search over every edge). */
function reaching(adj: Adjacency, goal: number): Set<number> {
  const into: number[][] = adj.versions.map(() => []);
  adj.out.forEach((targets, from) => { for (const [to] of targets) into[to]!.push(from); });
  const seen = new Set([goal]);
  const queue = [goal];
  for (let q = 0; q < queue.length; q++) {
    for (const from of into[queue[q]!]!) if (!seen.has(from)) { seen.add(from); queue.push(from); }
  }
  return seen;
}

/**
 * Blocked declarations that would have joined what A reaches to what reaches B: their target reaches B and their
 * `from` expression matches a version A reaches. The served graph no longer has the blocked edge, so this names the
 * declarations that stand in the way rather than proving the edge existed before the block.
 */
function blockingDeclarations(adj: Adjacency, start: number, goal: number, arch: string, blocked: readonly BlockedEdgeDoc[]): PathProblem[] {
  const reached = distances(adj, start, () => true);
  const toGoal = reaching(adj, goal);
  const problems: PathProblem[] = [];
  for (const doc of blocked) {
    const target = adj.index.get(doc.to) ?? adj.index.get(baseOf(doc.to));
    if (target === undefined || !toGoal.has(target) || reached[target] !== -1) continue;
    const source = adj.versions.findIndex((v, i) => reached[i] !== -1 && i !== target && safeSearch(doc.from, v, arch));
    if (source < 0) continue;
    problems.push({
      code: 'blocked',
      message: `the update ${adj.versions[source]} → ${adj.versions[target]} is blocked by blocked-edges/${doc.file}`,
      file: doc.file,
      edge: { from: doc.from, to: doc.to },
    });
  }
  return problems;
}

function safeSearch(source: string, version: string, arch: string): boolean {
  try {
    return regexSearch(source, version) || regexSearch(source, `${version}+${arch}`);
  } catch {
    return false; // an invalid expression was ignored by the build too
  }
}

export function findPaths(query: PathQuery): PathAnswer {
  const { graph, channel, arch, from, to } = query;
  const limit = query.limit ?? 5;
  const answer: PathAnswer = { channel, arch, from, to, recommended: [], withConditional: [], problems: [] };
  const problem = (code: PathProblemCode, message: string): PathAnswer => {
    answer.problems.push({ code, message });
    return answer;
  };
  for (const v of [from, to]) {
    if (!isStrictSemver(v)) return problem('invalid-version', `"${v}" is not a strict SemVer version, so no cluster can run or reach it`);
  }
  if (graph.nodes.length === 0) {
    return query.channelArches.length > 0
      ? problem('arch-not-served', `channel "${channel}" has no ${arch} releases; it serves ${query.channelArches.join(', ')}`)
      : problem('to-not-in-channel', `channel "${channel}" does not exist or lists no releases`);
  }
  const adj = servedAdjacency(graph);
  const start = adj.index.get(from) ?? adj.index.get(baseOf(from));
  const goal = adj.index.get(to) ?? adj.index.get(baseOf(to));
  if (start === undefined) {
    problem('from-not-in-channel', `${from} is not in channel "${channel}" (${arch}): a cluster running it would report VersionNotFound`);
  }
  if (goal === undefined) problem('to-not-in-channel', `${to} is not in channel "${channel}" (${arch})`);
  if (start === undefined || goal === undefined) return answer;
  if (start === goal) return problem('same-version', `${from} and ${to} are the same release`);

  answer.recommended = shortestPaths(adj, start, goal, (risks) => risks.length === 0, limit);
  answer.withConditional = shortestPaths(adj, start, goal, () => true, limit);
  if (answer.recommended.length > 0) return answer;
  if (answer.withConditional.length > 0) {
    const risky = [...new Set(answer.withConditional[0]!.flatMap((h) => h.risks))];
    return problem('conditional-only', `the only way from ${from} to ${to} takes a conditional update (risks: ${risky.join(', ')})`);
  }
  const blocked = blockingDeclarations(adj, start, goal, arch, query.blocked);
  answer.problems.push(...blocked);
  if (blocked.length === 0) problem('no-path', `no sequence of updates leads from ${from} to ${to} in channel "${channel}" (${arch})`);
  return answer;
}
