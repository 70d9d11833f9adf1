// What a cluster-version operator would make of one graph answer (graph-api §8): its local preconditions, the
// transport outcome, the current node, the recommended and the conditional updates. Pure: the caller hands in the
// exact status and body the graph API serves for the cluster's (channel, arch).
import { isStrictSemver, keyIgnoringBuild, parseSemver } from './semver.js';
import type { MatchingRule, Risk } from './types.js';

export interface ClusterIdentity {
  version: string;
  channel: string;
  arch: string;
  /** The cluster's UUID; absent means "use a valid one" (the answer does not depend on it). */
  id?: string;
}

export interface GraphResponse {
  status: number;
  body: string;
}

export interface ClusterUpdate {
  version: string;
  payload: string;
}

export interface ClusterConditionalUpdate extends ClusterUpdate {
  risks: Risk[];
}

export interface ClusterView {
  cluster: ClusterIdentity;
  /** The query string the operator sends (keys sorted, as it encodes them; id only when given); null when it sends nothing. */
  query: string | null;
  /** RetrievedUpdates as the operator would set it. */
  retrievedUpdates: { status: 'True' | 'False'; reason: string; message: string };
  /** The node the operator recognises as the running release. */
  current: ClusterUpdate | null;
  updates: ClusterUpdate[];
  conditionalUpdates: ClusterConditionalUpdate[];
  /** Things the operator logs and then ignores (dropped duplicates, pruned rules). */
  warnings: string[];
}

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** The query the operator builds: arch, channel, id, version (url.Values.Encode sorts keys). */
export function clusterQuery(cluster: ClusterIdentity): string {
  const params = new URLSearchParams();
  params.set('arch', cluster.arch);
  params.set('channel', cluster.channel);
  if (cluster.id !== undefined) params.set('id', cluster.id);
  params.set('version', cluster.version);
  return params.toString();
}

/** The preconditions the operator checks before asking (graph-api §8.1); null when it will send the request. */
export function clusterPrecondition(cluster: ClusterIdentity): { reason: string; message: string } | null {
  if (cluster.id !== undefined && !UUID_RE.test(cluster.id)) return { reason: 'InvalidID', message: `invalid cluster ID "${cluster.id}": not a UUID` };
  if (cluster.arch === '') return { reason: 'NoArchitecture', message: 'the cluster has no architecture' };
  if (cluster.version === '') return { reason: 'NoCurrentVersion', message: 'the cluster has no current version' };
  if (cluster.channel === '') return { reason: 'NoChannel', message: 'the update channel has not been configured' };
  if (!isStrictSemver(cluster.version)) {
    return { reason: 'InvalidCurrentVersion', message: `the current version "${cluster.version}" is not strict SemVer` };
  }
  return null;
}

interface DecodedNode {
  version: string;
  payload: string;
}

interface DecodedGroup {
  edges: Array<{ from: string; to: string }>;
  risks: Risk[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Decodes as Go's typed structs would; a string describing the first violation when the operator would refuse. */
function decode(body: string): { nodes: DecodedNode[]; edges: Array<[number, number]>; groups: DecodedGroup[] } | string {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return 'the body is not JSON';
  }
  if (!isObject(doc)) return 'the body is not a JSON object';
  const nodes: DecodedNode[] = [];
  const rawNodes = doc.nodes ?? [];
  if (!Array.isArray(rawNodes)) return '"nodes" is not an array';
  for (const n of rawNodes) {
    if (!isObject(n) || typeof n.version !== 'string' || !isStrictSemver(n.version)) {
      return `node ${JSON.stringify(isObject(n) ? n.version : n)} has no strict SemVer version`;
    }
    nodes.push({ version: n.version, payload: typeof n.payload === 'string' ? n.payload : '' });
  }
  const rawEdges = doc.edges ?? [];
  if (!Array.isArray(rawEdges)) return '"edges" is not an array';
  const edges: Array<[number, number]> = [];
  for (const e of rawEdges) {
    if (!Array.isArray(e) || e.length !== 2 || !e.every((x) => Number.isInteger(x))) return `edge ${JSON.stringify(e)} is not a pair of integers`;
    edges.push([e[0] as number, e[1] as number]);
  }
  const rawGroups = doc.conditionalEdges ?? [];
  if (!Array.isArray(rawGroups)) return '"conditionalEdges" is not an array';
  const groups: DecodedGroup[] = [];
  for (const g of rawGroups) {
    if (!isObject(g)) return 'a conditional edge group is not an object';
    groups.push({ edges: Array.isArray(g.edges) ? (g.edges as DecodedGroup['edges']) : [], risks: Array.isArray(g.risks) ? (g.risks as Risk[]) : [] });
  }
  return { nodes, edges, groups };
}

/** Keeps the rules the operator recognises (graph-api §8.4 step 6). */
function validRules(rules: readonly MatchingRule[]): MatchingRule[] {
  return rules.filter((r) => (r.type === 'Always' && r.promql === undefined) || (r.type === 'PromQL' && typeof r.promql?.promql === 'string' && r.promql.promql !== ''));
}

/** The operator's reading of one graph answer for one cluster. */
export function clusterView(cluster: ClusterIdentity, response: GraphResponse | null): ClusterView {
  const view: ClusterView = {
    cluster,
    query: null,
    retrievedUpdates: { status: 'True', reason: 'AsExpected', message: '' },
    current: null,
    updates: [],
    conditionalUpdates: [],
    warnings: [],
  };
  const refuse = (reason: string, message: string): ClusterView => {
    view.retrievedUpdates = { status: 'False', reason, message };
    return view;
  };
  const pre = clusterPrecondition(cluster);
  if (pre) return refuse(pre.reason, pre.message);
  view.query = clusterQuery(cluster);
  if (response === null) return refuse('RemoteFailed', 'the update service did not answer');
  if (response.status !== 200) {
    return refuse('ResponseFailed', `unexpected HTTP status: ${response.status} (${response.body.slice(0, 200)})`);
  }
  const decoded = decode(response.body);
  if (typeof decoded === 'string') return refuse('ResponseInvalid', decoded);
  const key = keyIgnoringBuild(parseSemver(cluster.version)!);
  const currentIndex = decoded.nodes.findIndex((n) => keyIgnoringBuild(parseSemver(n.version)!) === key);
  if (currentIndex < 0) {
    return refuse('VersionNotFound', `currently reconciling cluster version ${cluster.version} not found in the "${cluster.channel}" channel`);
  }
  view.current = decoded.nodes[currentIndex]!;
  for (const [from, to] of decoded.edges) {
    if (from !== currentIndex) continue;
    const node = decoded.nodes[to];
    if (!node) return refuse('ResponseInvalid', `edge to node index ${to} is out of range`);
    view.updates.push(node);
  }
  const conditional: ClusterConditionalUpdate[] = [];
  for (const group of decoded.groups) {
    for (const edge of group.edges) {
      if (edge.from !== cluster.version) continue;
      const node = decoded.nodes.find((n) => n.version === edge.to);
      if (!node) return refuse('ResponseInvalid', `no node for conditional update ${edge.to}`);
      conditional.push({ ...node, risks: group.risks });
    }
  }
  // The conditional entry wins over an unconditional one with the same payload (step 5), before pruning (6, 7).
  const conditionalPayloads = new Set(conditional.map((c) => c.payload));
  view.updates = view.updates.filter((u) => {
    if (!conditionalPayloads.has(u.payload)) return true;
    view.warnings.push(`${u.version} is listed as both an update and a conditional update; the conditional one is kept`);
    return false;
  });
  const pruned = conditional.flatMap((c) => {
    const risks = c.risks.map((r) => ({ ...r, matchingRules: validRules(r.matchingRules ?? []) }));
    const empty = risks.find((r) => r.matchingRules.length === 0);
    if (empty) {
      view.warnings.push(`conditional update ${c.version} dropped: risk "${empty.name}" has no rule the cluster understands`);
      return [];
    }
    return [{ ...c, risks }];
  });
  const perPayload = new Map<string, number>();
  for (const c of pruned) perPayload.set(c.payload, (perPayload.get(c.payload) ?? 0) + 1);
  view.conditionalUpdates = pruned.filter((c) => {
    const n = perPayload.get(c.payload)!;
    if (n > 1) view.warnings.push(`upstream declares ${n} conditional updates to ${c.version}; the cluster drops them all`);
    return n === 1;
  });
  return view;
}
