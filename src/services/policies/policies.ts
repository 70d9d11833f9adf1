// Promotion policies as a use case (issue 13, docs/policies.md): set, remove and list them, and run them: every due
// version is added to its target channel through the Publisher (so whatever refuses a manual write refuses it),
// audited as the policy. The clock is injected, so a test moves time instead of waiting.
import { isKusError, KusError, quote } from '../../errors/index.js';
import type { Store, StoredPolicy } from '../../store/index.js';
import { parseFleetDuration } from '../fleet/index.js';
import { auditedWrite } from '../publish/audited-write.js';
import { requireChannel } from '../publish/lookup.js';
import type { Actor, WriteResult } from '../publish/types.js';
import { requireChannelName } from '../publish/validate.js';
import type { PublisherApi } from '../publisher.js';
import { promotionCandidates, type Candidate, type DeclaredEdge } from './due.js';

export interface PoliciesDeps {
  store: Store;
  publisher: Pick<PublisherApi, 'promote'>;
  /** False or absent: `--rollout` is refused (this KUS runs no rollouts here). */
  rollouts?: boolean;
  now?: () => Date;
  /** How long after a refused promotion it is tried again (default 1 h): a refusal is audited once per try. */
  retryMs?: number;
  logger?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

export interface PolicyInput {
  target: string;
  source: string;
  /** e.g. 7d: how long a version is listed in source before it is promoted. */
  after: string;
  /** e.g. 48h: promote with a rollout of that length in target. */
  rollout?: string;
}

/** A policy as the API and CLI show it (times RFC 3339), with what it does with each version of its source now. */
export interface PolicyInfo {
  target: string;
  source: string;
  afterSeconds: number;
  rolloutSeconds: number | null;
  createdAt: string;
}

export interface PolicyCandidate {
  version: string;
  listedSince: string;
  dueAt: string;
  status: Candidate['status'];
  reason?: string;
}

export interface PolicyStatus extends PolicyInfo {
  /** Versions of source not in target, oldest listing first; `due` ones are promoted on the next run. */
  candidates: PolicyCandidate[];
}

export interface PromotionReport {
  target: string;
  source: string;
  version: string;
  outcome: 'promoted' | 'refused';
  /** `CODE: message` of a refusal. */
  error?: string;
}

export const DEFAULT_POLICY_RETRY_MS = 3600_000;

const iso = (ms: number): string => new Date(ms).toISOString();

export const policyActor = (target: string, source: string): Actor => ({ name: `policy:${source}->${target}` });

function info(p: StoredPolicy): PolicyInfo {
  return { target: p.target, source: p.source, afterSeconds: p.afterMs / 1000, rolloutSeconds: p.rolloutMs === null ? null : p.rolloutMs / 1000, createdAt: iso(p.createdAt) };
}

/** A duration in the largest unit that divides it (rollout durations take s, m, h, d). */
function durationText(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3600_000], ['m', 60_000]] as const) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${Math.ceil(ms / 1000)}s`;
}

export class PromotionPolicies {
  private readonly store: Store;
  private readonly publisher: PoliciesDeps['publisher'];
  private readonly rollouts: boolean;
  private readonly now: () => Date;
  private readonly retryMs: number;
  private readonly logger: PoliciesDeps['logger'];
  private running: Promise<PromotionReport[]> | undefined;
  /** Counted since start, for /metrics: finished runs, promotions and refusals. */
  readonly stats = { runs: 0, promoted: 0, refused: 0 };

  constructor(deps: PoliciesDeps) {
    this.store = deps.store;
    this.publisher = deps.publisher;
    this.rollouts = deps.rollouts === true;
    this.now = deps.now ?? (() => new Date());
    this.retryMs = deps.retryMs ?? DEFAULT_POLICY_RETRY_MS;
    this.logger = deps.logger;
  }

  /** Creates the policy TARGET ← SOURCE, or changes its delays. Both channels must exist. */
  set(actor: Actor, input: PolicyInput): WriteResult<PolicyInfo> {
    const request = { ...input };
    return auditedWrite(this.store, actor, { action: 'policy.set', target: `${String(input.source)}->${String(input.target)}`, request }, () => {
      const target = requireChannelName(input.target);
      const source = requireChannelName(input.source);
      if (target === source) throw new KusError('KUS_ERR_BAD_REQUEST', `a policy promotes from one channel to another; --from ${quote(source)} is the target itself`, { source });
      const current = this.store.loadGraphInput();
      requireChannel(current, target);
      requireChannel(current, source);
      const afterMs = parseFleetDuration(String(input.after), 'after');
      const rolloutMs = input.rollout === undefined ? null : parseFleetDuration(String(input.rollout), 'rollout');
      if (rolloutMs !== null && !this.rollouts) {
        throw new KusError('KUS_ERR_BAD_REQUEST', `rollout ${quote(input.rollout)} asked, but this KUS has no phased rollouts to start; drop the rollout`, { rollout: input.rollout });
      }
      const before = this.store.policies.list().find((p) => p.target === target && p.source === source);
      const policy: StoredPolicy = { target, source, afterMs, rolloutMs, createdAt: before?.createdAt ?? this.now().getTime() };
      if (before && before.afterMs === afterMs && before.rolloutMs === rolloutMs) return { value: info(before), warnings: [], changed: false };
      this.store.policies.upsert(policy);
      const due = this.candidatesOf([policy], this.now().getTime()).filter((c) => c.status === 'due');
      const warnings = due.length > 0
        ? [`${due.length} version${due.length === 1 ? ' is' : 's are'} listed in ${source} for longer than that and will be promoted on the next run: ${due.slice(0, 10).map((c) => c.version).join(', ')}${due.length > 10 ? ', …' : ''}`]
        : [];
      return { value: info(policy), warnings, changed: true, before: before ? info(before) : null, after: info(policy) };
    });
  }

  remove(actor: Actor, targetText: string, sourceText: string): WriteResult<PolicyInfo> {
    return auditedWrite(this.store, actor, { action: 'policy.remove', target: `${String(sourceText)}->${String(targetText)}`, request: { target: targetText, source: sourceText } }, () => {
      const target = requireChannelName(targetText);
      const source = requireChannelName(sourceText);
      const policies = this.store.policies.list();
      const found = policies.find((p) => p.target === target && p.source === source);
      if (!found) {
        const names = policies.map((p) => `${p.source}->${p.target}`);
        throw new KusError('KUS_ERR_NOT_FOUND', `there is no policy promoting ${source} to ${target} (${names.length === 0 ? 'there are none' : `policies: ${names.join(', ')}`})`, { target, source });
      }
      this.store.policies.delete(target, source);
      return { value: info(found), warnings: [], changed: true, before: info(found), after: null };
    });
  }

  /** Every policy with its candidates now. */
  list(): PolicyStatus[] {
    const policies = this.store.policies.list();
    const candidates = this.candidatesOf(policies, this.now().getTime());
    return policies.map((p) => ({
      ...info(p),
      candidates: candidates.filter((c) => c.target === p.target && c.source === p.source).map((c) => ({
        version: c.version, listedSince: iso(c.listedSince), dueAt: iso(c.dueAt), status: c.status, ...(c.reason !== undefined ? { reason: c.reason } : {}),
      })),
    }));
  }

  /**
   * Promotes every due version, one write each, oldest listing first. Runs do not overlap: a call during a run gets
   * that run's report. A refused promotion is recorded and tried again after the retry delay.
   */
  run(): Promise<PromotionReport[]> {
    this.running ??= this.runOnce().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async runOnce(): Promise<PromotionReport[]> {
    try {
      return await this.promoteDue();
    } finally {
      this.stats.runs++;
    }
  }

  private async promoteDue(): Promise<PromotionReport[]> {
    const policies = this.store.policies.list();
    const due = this.candidatesOf(policies, this.now().getTime()).filter((c) => c.status === 'due');
    const reports: PromotionReport[] = [];
    for (const c of due) {
      const policy = policies.find((p) => p.target === c.target && p.source === c.source)!;
      const report = await this.promote(policy, c);
      if (report) reports.push(report);
    }
    return reports;
  }

  private async promote(policy: StoredPolicy, c: Candidate): Promise<PromotionReport | undefined> {
    const actor = policyActor(c.target, c.source);
    const report = { target: c.target, source: c.source, version: c.version };
    try {
      // One Publisher write: the channel add, the rollout (when the policy has one) and the record, one generation.
      const promoted = await this.publisher.promote(actor, {
        ...report, listedSince: c.listedSince, afterMs: policy.afterMs, ...(policy.rolloutMs !== null && this.rollouts ? { rollout: durationText(policy.rolloutMs) } : {}),
      }, this.now().getTime());
      // Someone listed it in target since the candidates were read: nothing was promoted, nothing is recorded.
      if (!promoted.changed) return undefined;
    } catch (err) {
      if (!isKusError(err)) throw err;
      // The Publisher audited the refused channel.add as this policy; here only the retry time is kept.
      const error = `${err.code}: ${err.message}`;
      this.store.transaction(() => this.store.policies.record({ ...report, at: this.now().getTime(), outcome: 'refused', error }));
      this.stats.refused++;
      this.logger?.warn({ ...report, err: error }, 'promotion policy: the promotion was refused; it is tried again later');
      return { ...report, outcome: 'refused', error };
    }
    this.stats.promoted++;
    this.logger?.info({ ...report, listedSince: iso(c.listedSince) }, 'promotion policy: promoted');
    return { ...report, outcome: 'promoted' };
  }

  private candidatesOf(policies: readonly StoredPolicy[], now: number): Candidate[] {
    if (policies.length === 0) return [];
    const channels = [...new Set(policies.flatMap((p) => [p.target, p.source]))];
    const edges: DeclaredEdge[] = [
      ...this.store.edges.listBlocked().map((e) => ({ file: e.file, to: e.to, kind: 'blocked' as const })),
      ...this.store.edges.listConditional().map((e) => ({ file: e.file, to: e.to, kind: 'risk' as const })),
    ];
    return promotionCandidates({
      policies, listings: this.store.channels.listings(channels), edges, promotions: this.store.policies.promotions(), now, retryMs: this.retryMs,
    });
  }
}
