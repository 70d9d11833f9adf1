// The working graph the pipeline steps transform: nodes keyed by internal version (with +arch), edges as
// parent/child sets, conditional-edge declarations from graph-data and the materialised groups.
import { KusError, quote } from '../errors/index.js';
import type { ConditionalGroup, Risk } from './types.js';

export interface GraphNode {
  /** Internal version: SemVer with the architecture as build metadata (`4.9.15+arm64`). */
  version: string;
  /** False for placeholders: versions named by previous/next that no release provides. */
  concrete: boolean;
  payload: string;
  metadata: Map<string, string>;
}

/** A conditional-edge declaration from graph-data, applied when edges are final (graph-semantics §8.2). */
export interface ConditionalDeclaration {
  fromRegex: string;
  /** As written in the file, build metadata included. */
  to: string;
  risk: Risk;
}

export class Graph {
  readonly nodes = new Map<string, GraphNode>();
  /** child version → parent versions */
  readonly parents = new Map<string, Set<string>>();
  /** parent version → child versions */
  readonly children = new Map<string, Set<string>>();
  declarations: ConditionalDeclaration[] = [];
  /** Materialised conditional edges; versions carry their +arch here. */
  conditional: ConditionalGroup[] = [];
  /**
   * True from a passed assertAcyclic() until the next edge is added (removals cannot close a cycle): a build checks
   * after step A and again after the labelled additions, and when those added nothing the second walk over every
   * edge (174,000 at upstream scale) would only repeat the first.
   */
  private knownAcyclic = false;

  addNode(node: GraphNode): void {
    this.nodes.set(node.version, node);
    if (!this.parents.has(node.version)) this.parents.set(node.version, new Set());
    if (!this.children.has(node.version)) this.children.set(node.version, new Set());
  }

  addPlaceholder(version: string): GraphNode {
    const node: GraphNode = { version, concrete: false, payload: '', metadata: new Map() };
    this.addNode(node);
    return node;
  }

  hasEdge(from: string, to: string): boolean {
    return this.children.get(from)?.has(to) ?? false;
  }

  /** Adds from → to; both nodes must exist. Cycles are detected once per step by assertAcyclic(). */
  addEdge(from: string, to: string): void {
    refuseSelfEdge(from, to);
    this.knownAcyclic = false;
    this.children.get(from)!.add(to);
    this.parents.get(to)!.add(from);
  }

  /**
   * Adds every from → to, in order, like addEdge for each (the caller has refused self edges). A node without parents
   * yet gets its set made from the list at once: V8 sizes a Set built from an array for its length, where adding one
   * by one regrows it; at upstream scale that was a large part of building the graph from 174,000 previous entries.
   */
  addParents(to: string, froms: readonly string[]): void {
    this.knownAcyclic = false;
    const parents = this.parents.get(to)!;
    if (parents.size === 0) this.parents.set(to, new Set(froms));
    else for (const from of froms) parents.add(from);
    for (const from of froms) this.children.get(from)!.add(to);
  }

  removeEdge(from: string, to: string): boolean {
    const had = this.children.get(from)?.delete(to) ?? false;
    this.parents.get(to)?.delete(from);
    return had;
  }

  /** Removes every parent → to edge whose parent `drop` accepts, in parent order, without copying the parent set. */
  removeParentsWhere(to: string, drop: (from: string) => boolean): void {
    const parents = this.parents.get(to);
    if (parents === undefined) return;
    // Deleting the entry being visited is safe while iterating a Set.
    for (const from of parents) {
      if (!drop(from)) continue;
      parents.delete(from);
      this.children.get(from)?.delete(to);
    }
  }

  removeNode(version: string): void {
    for (const p of this.parents.get(version) ?? []) this.children.get(p)?.delete(version);
    for (const c of this.children.get(version) ?? []) this.parents.get(c)?.delete(version);
    this.parents.delete(version);
    this.children.delete(version);
    this.nodes.delete(version);
  }

  edgeCount(): number {
    let n = 0;
    for (const s of this.children.values()) n += s.size;
    return n;
  }

  *edges(): Iterable<[string, string]> {
    for (const [from, tos] of this.children) for (const to of tos) yield [from, to];
  }

  /** Throws KUS_ERR_CYCLE naming one cycle when the edges are not a DAG (Kahn's algorithm, then a walk). */
  assertAcyclic(): void {
    if (this.knownAcyclic) return;
    // In-degrees by dense index: one map lookup per edge instead of a read and a write (this runs twice per build,
    // over 174,000 edges at upstream scale).
    const versions = [...this.parents.keys()];
    const ids = new Map<string, number>();
    const indegree = new Int32Array(versions.length);
    const queue: number[] = [];
    versions.forEach((v, i) => {
      ids.set(v, i);
      indegree[i] = this.parents.get(v)!.size;
      if (indegree[i] === 0) queue.push(i);
    });
    let seen = 0;
    while (queue.length > 0) {
      const v = versions[queue.pop()!]!;
      seen++;
      for (const c of this.children.get(v) ?? []) {
        const i = ids.get(c)!;
        if (--indegree[i]! === 0) queue.push(i);
      }
    }
    if (seen === versions.length) {
      this.knownAcyclic = true;
      return;
    }
    // Every remaining node lies on or behind a cycle; walk parents among them until one repeats.
    const left = new Set(versions.filter((_, i) => indegree[i]! > 0));
    let v = left.values().next().value as string;
    const path: string[] = [];
    const index = new Map<string, number>();
    while (!index.has(v)) {
      index.set(v, path.length);
      path.push(v);
      v = [...this.parents.get(v)!].find((p) => left.has(p))!;
    }
    const cycle = path.slice(index.get(v)!).reverse();
    cycle.push(cycle[0]!);
    throw new KusError('KUS_ERR_CYCLE', `the update graph would contain a cycle: ${cycle.join(' → ')}`, { cycle });
  }

  clone(): Graph {
    const g = new Graph();
    for (const n of this.nodes.values()) g.addNode({ ...n, metadata: new Map(n.metadata) });
    for (const [from, to] of this.edges()) g.addEdge(from, to);
    g.declarations = [...this.declarations];
    g.conditional = this.conditional.map((c) => ({ edges: [...c.edges], risks: c.risks }));
    return g;
  }
}

/** Throws KUS_ERR_CYCLE for an edge from a release to itself. */
export function refuseSelfEdge(from: string, to: string): void {
  if (from === to) {
    throw new KusError('KUS_ERR_CYCLE', `the edge ${quote(from)} → ${quote(to)} would make a release an update of itself`, { from, to });
  }
}
