// What each promotion policy would do now (docs/policies.md): pure, from the stored listings, edge rules and past
// attempts, with the time as an argument, so the rules are tested without a clock or a store.
import { keyIgnoringBuild, parseSemver } from '../../graph/index.js';
import type { ChannelListing, StoredPolicy, StoredPromotion } from '../../store/index.js';

/**
 * - `due`: listed in source long enough, not in target, nothing declared against it: promoted on the next run.
 * - `waiting`: listed in source for less than the policy's delay.
 * - `held`: a blocked edge or a risk names it as `to` (see `declaredAgainst`).
 * - `refused`: the last attempt was refused (e.g. by the build or --require-signatures); tried again at `dueAt`.
 * - `promoted`: this policy promoted it before; never again, so a removal from target by hand sticks.
 */
export type CandidateStatus = 'due' | 'waiting' | 'held' | 'refused' | 'promoted';

export interface Candidate {
  target: string;
  source: string;
  /** The source channel's entry (a version, or version+arch), added to target as it is. */
  version: string;
  listedSince: number;
  /** When it is (or was) due: listedSince + after, or the retry time of a refusal. */
  dueAt: number;
  status: CandidateStatus;
  /** Why it is held, or the refusal: for people. */
  reason?: string;
}

/** The edge rules a policy looks at: stored blocked edges and risks (from graph-data or `kus edge block|risk`). */
export interface DeclaredEdge {
  file: string;
  to: string;
  kind: 'blocked' | 'risk';
}

export interface DueInput {
  policies: readonly StoredPolicy[];
  listings: readonly ChannelListing[];
  edges: readonly DeclaredEdge[];
  promotions: readonly StoredPromotion[];
  now: number;
  /** A refused promotion is tried again this long after the refusal. */
  retryMs: number;
}

/** The version without build metadata (`4.9.22+amd64` → `4.9.22`), as the comparable key; the text itself when not SemVer. */
export function versionKey(text: string): string {
  const v = parseSemver(text);
  return v ? keyIgnoringBuild(v) : text;
}

/**
 * The declarations against a version: a plain blocked edge or a conditional edge (risk) whose `to` is that version,
 * whatever its `from` (clusters on some versions are told not to go there, so it is not ready for a wider channel).
 * A rule whose `from` matches the version is not a declaration against it: `from` is routinely a catch-all (`.*`)
 * that would hold every release, and a blocked way out of a version says nothing about the version itself.
 */
export function declaredAgainst(version: string, edges: readonly DeclaredEdge[]): DeclaredEdge[] {
  const key = versionKey(version);
  return edges.filter((e) => versionKey(e.to) === key);
}

const pairKey = (target: string, source: string, version: string): string => `${target}\u0000${source}\u0000${version}`;

/** Every version each policy's source lists, with what the policy does with it now; by policy, then listing time. */
export function promotionCandidates(input: DueInput): Candidate[] {
  const byChannel = new Map<string, ChannelListing[]>();
  for (const l of input.listings) {
    const list = byChannel.get(l.channel);
    if (list) list.push(l);
    else byChannel.set(l.channel, [l]);
  }
  const attempts = new Map(input.promotions.map((p) => [pairKey(p.target, p.source, p.version), p]));
  const out: Candidate[] = [];
  for (const policy of input.policies) {
    const inTarget = new Set((byChannel.get(policy.target) ?? []).map((l) => l.entry));
    const sourceListings = [...(byChannel.get(policy.source) ?? [])].sort((a, b) => a.addedAt - b.addedAt || (a.entry < b.entry ? -1 : 1));
    for (const l of sourceListings) {
      // An entry is in target when target lists it, or lists its version for every architecture.
      if (inTarget.has(l.entry) || inTarget.has(l.entry.replace(/\+.*$/, ''))) continue;
      const base = { target: policy.target, source: policy.source, version: l.entry, listedSince: l.addedAt, dueAt: l.addedAt + policy.afterMs };
      const attempt = attempts.get(pairKey(policy.target, policy.source, l.entry));
      if (attempt?.outcome === 'promoted') {
        out.push({ ...base, status: 'promoted', reason: `promoted at ${new Date(attempt.at).toISOString()} and removed from ${policy.target} since; not promoted again` });
        continue;
      }
      const against = declaredAgainst(l.entry, input.edges);
      if (against.length > 0) {
        out.push({ ...base, status: 'held', reason: against.map((e) => `${e.kind === 'risk' ? 'risk' : 'blocked edge'} ${e.file} (to ${e.to})`).join(', ') });
        continue;
      }
      if (base.dueAt > input.now) {
        out.push({ ...base, status: 'waiting' });
        continue;
      }
      if (attempt?.outcome === 'refused' && attempt.at + input.retryMs > input.now) {
        out.push({ ...base, dueAt: attempt.at + input.retryMs, status: 'refused', reason: attempt.error ?? 'refused' });
        continue;
      }
      out.push({ ...base, status: 'due' });
    }
  }
  return out;
}
