// Domain rules for values that reach clusters: channel and arch names, payloads, risks.
import { quote } from '../errors/index.js';
import type { Risk } from './types.js';

/** What clusters may request (graph-api §4), spelled as upstream's error texts spell them. */
export const CHANNEL_PATTERN = '^[0-9a-z\\-\\.]+$';
export const ARCH_PATTERN = '^[0-9a-z]+$';
export const CHANNEL_RE = new RegExp(CHANNEL_PATTERN);
export const ARCH_RE = new RegExp(ARCH_PATTERN);
export const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

/** Returns null when acceptable, else the reason. */
export function channelNameProblem(name: string): string | null {
  if (!CHANNEL_RE.test(name)) return `channel name ${quote(name)} does not match ^[0-9a-z\\-\\.]+$, so clusters could never request it`;
  if (!name.includes('-')) return `channel name ${quote(name)} has no "-" (channels are named like stable-4.9)`;
  return null;
}

export function archProblem(arch: string): string | null {
  return ARCH_RE.test(arch) ? null : `architecture ${quote(arch)} does not match ^[0-9a-z]+$`;
}

/** A payload must be pinned by digest: clusters verify signatures against the digest after the last "@". */
export function payloadDigest(payload: string): string | null {
  const at = payload.lastIndexOf('@');
  if (at <= 0) return null;
  const digest = payload.slice(at + 1);
  return DIGEST_RE.test(digest) ? digest : null;
}

/** The ClusterVersion API rejects risks that break these rules (graph-api §8.5). */
export function riskProblem(risk: Risk): string | null {
  const where = `risk ${quote(risk.name)}`;
  if (!risk.name) return 'a risk needs a non-empty name';
  if (!risk.message) return `${where} needs a non-empty message`;
  if (!risk.url) return `${where} needs a non-empty url`;
  if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$/.test(risk.url)) return `${where} has url ${quote(risk.url)}, which is not an absolute URI`;
  if (risk.matchingRules.length === 0) return `${where} needs at least one matching rule`;
  for (const rule of risk.matchingRules) {
    if (rule.type === 'Always') {
      if (rule.promql) return `${where}: an Always rule carries no promql`;
    } else if (rule.type === 'PromQL') {
      if (!rule.promql || !rule.promql.promql.trim()) return `${where}: a PromQL rule needs a non-empty promql.promql query`;
    } else {
      return `${where} has matching rule type ${quote(rule.type)}; clusters know only Always and PromQL`;
    }
  }
  return null;
}
