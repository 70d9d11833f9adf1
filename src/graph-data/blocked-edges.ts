// `blocked-edges/*.yaml` (graph-semantics §6.4.1): each file is a plain blocked edge, a conditional edge, or neither.
import { quote } from '../errors/index.js';
import { compileRegex, parseSemver, riskProblem, type BlockedEdgeDoc, type ConditionalEdgeDoc, type MatchingRule } from '../graph/index.js';
import type { ProblemList } from './problem.js';
import { describeType, isMapping, type YamlMapping } from './yaml-file.js';

export const BLOCKED_EDGES_DIR = 'blocked-edges';

export type BlockedEdgeFile =
  | { kind: 'plain'; edge: BlockedEdgeDoc }
  | { kind: 'conditional'; edge: ConditionalEdgeDoc };

const RISK_KEYS = ['url', 'name', 'message'] as const;
const KNOWN_KEYS = ['to', 'from', ...RISK_KEYS, 'matchingRules'] as const;

/** Classifies one parsed file; returns null (after reporting) when it matches neither kind. */
export function classifyBlockedEdge(fileName: string, doc: YamlMapping, problems: ProblemList): BlockedEdgeFile | null {
  const file = `${BLOCKED_EDGES_DIR}/${fileName}`;
  const { to, from, url, name, message, matchingRules, ...extra } = doc;

  // A file that names its target or source but gets them wrong was meant as an edge: refuse it, do not just skip it.
  if (to !== undefined && (typeof to !== 'string' || !parseSemver(to))) {
    problems.refuse(file, `to ${quote(to)} is not SemVer, so the file blocks nothing`);
    return null;
  }
  if (from !== undefined) {
    if (typeof from !== 'string') {
      problems.refuse(file, `from must be a regular expression string (found ${describeType(from)} ${quote(from)})`);
      return null;
    }
    try {
      compileRegex(from, 'from');
    } catch (err) {
      problems.refuse(file, `${(err as Error).message}, so the file blocks nothing`);
      return null;
    }
  }
  const unknown = Object.keys(extra);
  if (to === undefined || from === undefined) {
    const why = `matches neither a blocked edge nor a conditional edge (needs "to" and "from"; has ${keyList(doc)})`;
    // An unknown key is a typo until shown otherwise (`_to:`, `form:`): refuse, as for the files below.
    if (unknown.length > 0) problems.refuse(file, `has unknown ${unknown.length === 1 ? 'key' : 'keys'} ${keyList(doc, [...KNOWN_KEYS])}, and ${why}`);
    else problems.warn(file, `${why}, ignored`);
    return null;
  }

  const riskKeysPresent = [...RISK_KEYS, 'matchingRules'].filter((k) => doc[k] !== undefined);
  if (riskKeysPresent.length === 0 && unknown.length === 0) {
    return { kind: 'plain', edge: { file: fileName, to, from } };
  }
  if (riskKeysPresent.length < RISK_KEYS.length + 1) {
    // Upstream skips such a file, so the edge it names stays open (graph-semantics §6.4.1). KUS refuses it instead
    // (docs/graph-data.md, "Where KUS is stricter"): a stray key must not silently lift a block.
    const missing = [...RISK_KEYS, 'matchingRules'].filter((k) => doc[k] === undefined);
    const wrong = unknown.length > 0
      ? `has unknown ${unknown.length === 1 ? 'key' : 'keys'} ${keyList(doc, [...KNOWN_KEYS])}`
      : `has risk keys ${keyList(doc, ['to', 'from'])} but lacks ${missing.join(', ')}`;
    problems.refuse(file, `${wrong}, so it is neither a blocked edge (exactly "to" and "from") nor a conditional edge; upstream would ignore the whole file and NOT block ${quote(to)}`);
    return null;
  }
  for (const [key, value] of [['url', url], ['name', name], ['message', message]] as const) {
    if (typeof value !== 'string') {
      problems.refuse(file, `${key} must be a string (found ${describeType(value)} ${quote(value)}), so the risk is ignored`);
      return null;
    }
  }
  const rules = parseMatchingRules(matchingRules);
  if (typeof rules === 'string') {
    problems.refuse(file, `${rules}, so the risk is ignored`);
    return null;
  }
  const edge: ConditionalEdgeDoc = {
    file: fileName,
    to,
    from,
    risk: { url: url as string, name: name as string, message: message as string, matchingRules: rules },
  };
  if (Object.keys(extra).length > 0) edge.extra = extra;

  // KUS-only rules: the cluster would refuse the risk, or upstream would apply it inconsistently (graph-semantics §8.2).
  const risk = riskProblem(edge.risk);
  if (risk) problems.refuse(file, risk);
  if (parseSemver(to)!.build.length > 0) {
    problems.refuse(file, `to ${quote(to)} carries build metadata; upstream would remove the edge on every architecture but keep the risk on one, so write the version without "+..."`);
  }
  return { kind: 'conditional', edge };
}

/** Items as upstream reads them: `type` (missing → ""), optional `promql.promql`; other keys are ignored. */
function parseMatchingRules(value: unknown): MatchingRule[] | string {
  if (!Array.isArray(value)) return `matchingRules must be a sequence (found ${describeType(value)})`;
  const rules: MatchingRule[] = [];
  for (const [i, item] of value.entries()) {
    if (!isMapping(item)) return `matchingRules[${i}] must be a mapping (found ${describeType(item)})`;
    const type = item.type ?? '';
    if (typeof type !== 'string') return `matchingRules[${i}].type must be a string (found ${quote(type)})`;
    const rule: MatchingRule = { type };
    if (item.promql !== undefined) {
      const promql = item.promql;
      if (!isMapping(promql) || typeof promql.promql !== 'string') {
        return `matchingRules[${i}].promql must be a mapping with a string promql (found ${quote(promql)})`;
      }
      rule.promql = { promql: promql.promql };
    }
    rules.push(rule);
  }
  return rules;
}

function keyList(doc: YamlMapping, except: string[] = []): string {
  const keys = Object.keys(doc).filter((k) => !except.includes(k));
  return keys.length === 0 ? 'no keys' : keys.map((k) => quote(k)).join(', ');
}
