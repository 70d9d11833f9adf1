// The halting rule of phased rollouts (issue 13, docs/rollouts.md): an active rollout started with
// `--halt-on-stalled N` is paused, through the same Publisher write path as `kus rollout pause`, once N clusters
// stalled on it by the fleet's evidence. `kus serve` runs it on a timer on the primary only (a replica follows the
// rollout's state through graph-data). The clock is the Rollouts service's, so a test moves time instead of waiting.
import { isKusError } from '../errors/index.js';
import type { Actor } from './publish/types.js';
import { shouldHalt, type RolloutEvidence } from './rollout-evidence.js';
import type { Rollouts } from './rollouts.js';

export const DEFAULT_ROLLOUT_CHECK_INTERVAL_MS = 60_000;

/** Who pauses a rollout by the rule, in the audit log. */
export const HALT_ACTOR: Actor = { name: 'rule:halt-on-stalled' };

export interface HaltReport {
  channel: string;
  version: string;
  stalled: number;
  haltOnStalled: number;
  outcome: 'halted' | 'refused';
  /** `CODE: message` of a refusal. */
  error?: string;
}

/** The evidence of a rollout at the last check, for the gauges. */
export interface CheckedRollout {
  channel: string;
  version: string;
  evidence: RolloutEvidence;
}

export interface RolloutHaltsDeps {
  rollouts: Pick<Rollouts, 'list' | 'halt'>;
  logger?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

export class RolloutHalts {
  private readonly rollouts: RolloutHaltsDeps['rollouts'];
  private readonly logger: RolloutHaltsDeps['logger'];
  private running: Promise<HaltReport[]> | undefined;
  /** Since start, for /metrics: checks run, rollouts halted by channel, and each varying rollout's evidence at the last check. */
  readonly stats = { runs: 0, halts: new Map<string, number>(), evidence: [] as CheckedRollout[] };

  constructor(deps: RolloutHaltsDeps) {
    this.rollouts = deps.rollouts;
    this.logger = deps.logger;
  }

  /** One check of every rollout; checks do not overlap (a call during one gets its report). */
  run(): Promise<HaltReport[]> {
    this.running ??= this.check().finally(() => {
      this.running = undefined;
      this.stats.runs++;
    });
    return this.running;
  }

  private async check(): Promise<HaltReport[]> {
    const listed = this.rollouts.list();
    this.stats.evidence = listed.flatMap((r) => (r.evidence && (r.state === 'active' || r.state === 'paused') ? [{ channel: r.channel, version: r.version, evidence: r.evidence }] : []));
    const reports: HaltReport[] = [];
    for (const r of listed) {
      // After a halt and a resume, the clusters counted then are known: it halts again once N more stalled.
      const beyond = r.evidence ? { stalled: r.evidence.stalled - (r.halted?.stalled ?? 0) } : undefined;
      if (r.state !== 'active' || r.haltOnStalled === null || !r.evidence || !beyond || !shouldHalt(beyond, r.haltOnStalled)) continue;
      const report = { channel: r.channel, version: r.version, stalled: r.evidence.stalled, haltOnStalled: r.haltOnStalled };
      try {
        const halted = await this.rollouts.halt(HALT_ACTOR, r.channel, r.version, { stalled: report.stalled, haltOnStalled: report.haltOnStalled, stalledIds: r.evidence.stalledIds });
        // Paused, completed or aborted by someone since the list: nothing to do.
        if (!halted.changed) continue;
      } catch (err) {
        if (!isKusError(err)) throw err;
        const error = `${err.code}: ${err.message}`;
        this.logger?.warn({ ...report, err: error }, 'rollout halting rule: the pause was refused; tried again at the next check');
        reports.push({ ...report, outcome: 'refused', error });
        continue;
      }
      this.stats.halts.set(r.channel, (this.stats.halts.get(r.channel) ?? 0) + 1);
      this.logger?.warn({ ...report, stalledIds: r.evidence.stalledIds.slice(0, 10) }, 'rollout halted: as many clusters stalled on it as its --halt-on-stalled allows');
      reports.push({ ...report, outcome: 'halted' });
    }
    return reports;
  }
}
