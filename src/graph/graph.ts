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

/**
 * A node's parents or children, in the order they were added. A Set while the graph may change it; an array once the
 * graph is frozen (freezeEdges), and any change then starts from a copy. A graph kept from one build to the next (a
 * part's step A and its built graph) holds ~93,000 entries per architecture at upstream scale: as Sets they took
 * ~18 MB of the build worker's heap for four architectures, ~0.9 KB per set, where an array takes 8 bytes an entry
 * (docs/architecture.md, "Kept graphs hold arrays, not Sets").
 */
export type EdgeSet = Set<string> | readonly string[];

export function isFrozen(edges: EdgeSet): edges is readonly string[] {
  return Array.isArray(edges);
}

export function edgeSize(edges: EdgeSet | undefined): number {
  return edges === undefined ? 0 : isFrozen(edges) ? edges.length : edges.size;
}

export function hasEntry(edges: EdgeSet | undefined, version: string): boolean {
  return edges !== undefined && (isFrozen(edges) ? edges.includes(version) : edges.has(version));
}

const NO_EDGES: readonly string[] = Object.freeze([]);

export class Graph {
  readonly nodes = new Map<string, GraphNode>();
  /** child version → parent versions */
  readonly parents = new Map<string, EdgeSet>();
  /** parent version → child versions */
  readonly children = new Map<string, EdgeSet>();
  declarations: ConditionalDeclaration[] = [];
  /** Materialised conditional edges; versions carry their +arch here. */
  conditional: ConditionalGroup[] = [];
  /**
   * True from a passed assertAcyclic() until the next edge is added (removals cannot close a cycle): a build checks
   * after step A and again after the labelled additions, and when those added nothing the second walk over every
   * edge (174,000 at upstream scale) would only repeat the first.
   */
  private knownAcyclic = false;
  /**
   * The edge sets this graph may change in place, once it shares sets with another graph (shareEdges): any other set
   * is copied before its first change. Undefined while every set is this graph's own.
   */
  private owned: Set<ReadonlySet<string>> | undefined;

  addNode(node: GraphNode): void {
    this.nodes.set(node.version, node);
    if (!this.parents.has(node.version)) this.parents.set(node.version, this.ownSet(new Set()));
    if (!this.children.has(node.version)) this.children.set(node.version, this.ownSet(new Set()));
  }

  /**
   * A graph of `nodes` (every node of this graph, maybe more), in that order, with this graph's edges: each node's
   * edge sets are shared (a new node gets empty ones), and from now on each graph copies a shared set before changing
   * it. A publish builds its architecture from the last build's step A this way instead of making its ~90,000 set
   * entries again (docs/architecture.md, "Step A from the last build").
   */
  shareEdges(nodes: Iterable<GraphNode>): Graph {
    this.owned = new Set();
    const graph = new Graph();
    graph.owned = new Set();
    let known = 0;
    for (const node of nodes) {
      graph.nodes.set(node.version, node);
      const parents = this.parents.get(node.version);
      if (parents !== undefined) known++;
      graph.parents.set(node.version, parents ?? graph.ownSet(new Set()));
      graph.children.set(node.version, this.children.get(node.version) ?? graph.ownSet(new Set()));
    }
    // A node left out would leave its edges in the shared sets of the others.
    if (known !== this.nodes.size) throw new Error('internal error: shareEdges was not given every node of the graph');
    graph.knownAcyclic = this.knownAcyclic && graph.nodes.size === known;
    return graph;
  }

  private ownSet(set: Set<string>): Set<string> {
    this.owned?.add(set);
    return set;
  }

  /** The edge set of `version` in `sets`, copied first if it is shared or frozen. */
  private writable(sets: Map<string, EdgeSet>, version: string): Set<string> | undefined {
    const set = sets.get(version);
    if (set === undefined) return undefined;
    if (!isFrozen(set) && (this.owned === undefined || this.owned.has(set))) return set;
    const copy = this.ownSet(new Set(set));
    sets.set(version, copy);
    return copy;
  }

  addPlaceholder(version: string): GraphNode {
    const node: GraphNode = { version, concrete: false, payload: '', metadata: new Map() };
    this.addNode(node);
    return node;
  }

  hasEdge(from: string, to: string): boolean {
    return hasEntry(this.children.get(from), to);
  }

  /** Adds from → to; both nodes must exist. Cycles are detected once per step by assertAcyclic(). */
  addEdge(from: string, to: string): void {
    refuseSelfEdge(from, to);
    this.knownAcyclic = false;
    if (hasEntry(this.children.get(from), to)) return;
    this.writable(this.children, from)!.add(to);
    this.writable(this.parents, to)!.add(from);
  }

  /**
   * Adds every from → to, in order, like addEdge for each (the caller has refused self edges). A node without parents
   * yet gets its set made from the list at once (V8 does not size it for the list, but it allocates a tenth less than
   * adding one by one).
   */
  addParents(to: string, froms: readonly string[]): void {
    this.knownAcyclic = false;
    if (edgeSize(this.parents.get(to)) === 0) this.parents.set(to, this.ownSet(new Set(froms)));
    else {
      const writable = this.writable(this.parents, to)!;
      for (const from of froms) writable.add(from);
    }
    for (const from of froms) {
      if (!hasEntry(this.children.get(from), to)) this.writable(this.children, from)!.add(to);
    }
  }

  removeEdge(from: string, to: string): boolean {
    if (!hasEntry(this.children.get(from), to)) return false;
    this.writable(this.children, from)!.delete(to);
    this.writable(this.parents, to)?.delete(from);
    return true;
  }

  /** Removes every parent → to edge whose parent `drop` accepts, in parent order, without copying an unshared parent set. */
  removeParentsWhere(to: string, drop: (from: string) => boolean): void {
    const parents = this.parents.get(to);
    if (parents === undefined) return;
    let writable: Set<string> | undefined;
    // Deleting the entry being visited is safe while iterating a Set; a shared set or an array is read, and its copy changed.
    for (const from of parents) {
      if (!drop(from)) continue;
      (writable ??= this.writable(this.parents, to)!).delete(from);
      this.writable(this.children, from)?.delete(to);
    }
  }

  removeNode(version: string): void {
    for (const p of this.parents.get(version) ?? []) this.writable(this.children, p)?.delete(version);
    for (const c of this.children.get(version) ?? []) this.writable(this.parents, c)?.delete(version);
    this.parents.delete(version);
    this.children.delete(version);
    this.nodes.delete(version);
  }

  edgeCount(): number {
    let n = 0;
    for (const s of this.children.values()) n += edgeSize(s);
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
      indegree[i] = edgeSize(this.parents.get(v));
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

  /**
   * Turns every edge set into an array, for a graph kept after its build and not changed again (a change would copy
   * the array back into a Set first). Sets this graph shares with another stay that graph's.
   */
  freezeEdges(): void {
    for (const sets of [this.parents, this.children]) {
      for (const [version, set] of sets) if (!isFrozen(set)) sets.set(version, set.size === 0 ? NO_EDGES : [...set]);
    }
    // Every set it owned is gone from its maps; a set made after this is its own.
    this.owned = undefined;
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
