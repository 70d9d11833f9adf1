// Planning edge rules: plain blocks (a second block of one target extends the first), conditional edges with a risk,
// and removal of either by file name.
import { KusError, quote } from '../../errors/index.js';
import {
  canonicalRisk, compileRegex, formatSemver, parseSemver, regexSearch, releaseNodeVersion, riskProblem,
  type BlockedEdgeDoc, type ConditionalEdgeDoc, type GraphData, type MatchingRule, type Risk, type SemVer,
} from '../../graph/index.js';
import type { GraphInput } from '../../store/index.js';
import { releasesOfVersion } from './lookup.js';
import { edgeFileNames, unchanged, withGraphData, type Plan } from './plan.js';
import type { EdgeList, EdgeSelector, RiskInput } from './types.js';
import { kebab, requireVersion, sourceRegex, uniqueFileName } from './validate.js';

const sameTarget = (doc: { to: string }, to: SemVer): boolean => {
  const v = parseSemver(doc.to);
  return v !== null && formatSemver(v) === formatSemver(to);
};

/** Warnings for rules that cannot act on anything stored yet (often a typo, or a regex that can never match). */
function reachWarnings(current: GraphInput, to: string, from: string): string[] {
  const warnings: string[] = [];
  if (releasesOfVersion(current, to).length === 0) warnings.push(`no release ${to} is stored yet; the rule applies once one arrives`);
  const nodes = current.releases.map(releaseNodeVersion);
  if (nodes.length > 0 && !nodes.some((n) => regexSearch(from, n))) {
    warnings.push(`from ${quote(from)} matches no stored release; it is searched in versions with their architecture, like 4.9.0+amd64 ` +
      '(so a pattern ending in $ right after the version matches nothing)');
  }
  return warnings;
}

const INLINE_FLAGS = /^\(\?[a-zA-Z]+\)/;

export function planBlockEdge(current: GraphInput, input: EdgeSelector): Plan<BlockedEdgeDoc> {
  const to = formatSemver(requireVersion(input.to, 'to'));
  const from = sourceRegex(input);
  const toV = parseSemver(to)!;
  // With two plain files for one target only the last (by file name) would count (graph-semantics §6.4.3).
  const existing = current.graphData.blockedEdges.filter((e) => sameTarget(e, toV)).at(-1);
  if (existing) {
    if (existing.from === from || existing.from.split('|').includes(from)) return unchanged(current, existing);
    if (INLINE_FLAGS.test(existing.from) || INLINE_FLAGS.test(from)) {
      throw new KusError('KUS_ERR_CONFLICT',
        `blocked-edges/${existing.file} already blocks updates to ${to} from ${quote(existing.from)}; one of the patterns starts with inline ` +
          'flags, so they cannot be joined with "|": remove that file and block with one combined pattern',
        { file: existing.file });
    }
    const combined = `${existing.from}|${from}`;
    compileRegex(combined, 'the combined from');
    const after: BlockedEdgeDoc = { ...existing, from: combined };
    return {
      value: after,
      warnings: [
        `blocked-edges/${existing.file} already blocked updates to ${to} (from ${quote(existing.from)}); a second file would replace it, ` +
          `so ${quote(from)} was appended to it: from is now ${quote(combined)}`,
        ...reachWarnings(current, to, from),
      ],
      changed: true,
      candidate: withGraphData(current, { blockedEdges: current.graphData.blockedEdges.map((e) => (e === existing ? after : e)) }),
      write: (store) => void store.edges.setBlockedFrom(existing.file, combined),
      before: existing,
      after,
    };
  }
  const doc: BlockedEdgeDoc = { file: uniqueFileName(to, edgeFileNames(current)), to, from };
  return {
    value: doc,
    warnings: reachWarnings(current, to, from),
    changed: true,
    candidate: withGraphData(current, { blockedEdges: sortByFile([...current.graphData.blockedEdges, doc]) }),
    write: (store) => store.edges.insertBlocked(doc),
    before: null,
    after: doc,
  };
}

function matchingRules(rules: unknown): MatchingRule[] {
  if (!Array.isArray(rules)) throw new KusError('KUS_ERR_INVALID_RISK', `matchingRules must be a list of {type: Always} or {type: PromQL, promql: {promql}}; got ${quote(rules)}`);
  return rules.map((rule: unknown): MatchingRule => {
    const r = (typeof rule === 'object' && rule !== null ? rule : {}) as { type?: unknown; promql?: { promql?: unknown } };
    if (typeof r.type !== 'string') throw new KusError('KUS_ERR_INVALID_RISK', `a matching rule needs a type (Always or PromQL); got ${quote(rule)}`);
    if (r.promql === undefined) return { type: r.type };
    const query = typeof r.promql === 'object' && r.promql !== null ? r.promql.promql : undefined;
    if (typeof query !== 'string') throw new KusError('KUS_ERR_INVALID_RISK', `a PromQL rule needs promql.promql, a query string; got ${quote(rule)}`);
    return { type: r.type, promql: { promql: query } };
  });
}

export function planAddRisk(current: GraphInput, input: RiskInput): Plan<ConditionalEdgeDoc> {
  const toV = requireVersion(input.to, 'to');
  const to = formatSemver(toV);
  if (toV.build.length > 0) {
    // Upstream would remove the update on every architecture but declare the risk only on this one (graph-semantics §8).
    throw new KusError('KUS_ERR_INVALID_SEMVER',
      `to ${quote(input.to)} of a conditional edge carries "+${toV.build.join('.')}": a risk applies to every architecture of a version ` +
        `(with an architecture, clusters of the other architectures would lose the update entirely); write to: ${formatSemver({ ...toV, build: [] })}`,
      { value: input.to });
  }
  const from = sourceRegex(input);
  const risk: Risk = { url: String(input.url ?? ''), name: String(input.name ?? ''), message: String(input.message ?? ''), matchingRules: matchingRules(input.matchingRules) };
  const problem = riskProblem(risk);
  if (problem) throw new KusError('KUS_ERR_INVALID_RISK', problem, { risk: risk.name });

  const same = JSON.stringify(canonicalRisk(risk));
  const existing = current.graphData.conditionalEdges.find((e) => e.to === to && e.from === from && JSON.stringify(canonicalRisk(e.risk)) === same);
  if (existing) return unchanged(current, existing);

  const warnings = reachWarnings(current, to, from);
  const namesake = current.graphData.conditionalEdges.find((e) => e.risk.name === risk.name && JSON.stringify(canonicalRisk(e.risk)) !== same);
  if (namesake) {
    warnings.push(`blocked-edges/${namesake.file} declares a risk named ${risk.name} with another url, message or rules; clusters key risks by ` +
      'name, so give both the same definition or rename one');
  }
  const doc: ConditionalEdgeDoc = { file: uniqueFileName(`${to}-${kebab(risk.name)}`, edgeFileNames(current)), to, from, risk };
  return {
    value: doc,
    warnings,
    changed: true,
    candidate: withGraphData(current, { conditionalEdges: sortByFile([...current.graphData.conditionalEdges, doc]) }),
    write: (store) => store.edges.insertConditional(doc),
    before: null,
    after: doc,
  };
}

export function planRemoveEdge(current: GraphInput, file: string): Plan<BlockedEdgeDoc | ConditionalEdgeDoc> {
  const { blockedEdges, conditionalEdges } = current.graphData;
  const doc = blockedEdges.find((e) => e.file === file) ?? conditionalEdges.find((e) => e.file === file);
  if (!doc) {
    const files = [...edgeFileNames(current)].sort();
    throw new KusError('KUS_ERR_NOT_FOUND',
      `there is no blocked-edges file ${quote(file)} (${files.length === 0 ? 'there are none' : `existing: ${files.slice(0, 20).join(', ')}${files.length > 20 ? ', …' : ''}`}); "kus edge list" shows them`,
      { file });
  }
  return {
    value: doc,
    warnings: [],
    changed: true,
    candidate: withGraphData(current, {
      blockedEdges: blockedEdges.filter((e) => e !== doc),
      conditionalEdges: conditionalEdges.filter((e) => e !== doc),
    }),
    write: (store) => void store.edges.deleteFile(file),
    before: doc,
    after: null,
  };
}

export function edgeList(current: { graphData: Pick<GraphData, 'blockedEdges' | 'conditionalEdges'> }): EdgeList {
  return { blocked: current.graphData.blockedEdges, conditional: current.graphData.conditionalEdges };
}

/** Graph-data lists are in file-name order (byte order), which decides which of two plain blocks wins. */
function sortByFile<T extends { file: string }>(docs: T[]): T[] {
  return docs.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}
