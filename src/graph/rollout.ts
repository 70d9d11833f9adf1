// Phased rollouts (issue 13), the pure model: a rollout's fraction at a time, whether a cluster of a given wariness
// passes it, and which sets of rollouts a channel's clusters can pass (one served body each). Time (Unix ms) and the
// cluster's wariness come in as arguments; the hash that gives the wariness is computed outside (services/wariness.ts).

export const ROLLOUT_STATES = ['active', 'paused', 'completed', 'aborted'] as const;
export type RolloutState = (typeof ROLLOUT_STATES)[number];

/** One release's rollout in one channel. */
export interface Rollout {
  channel: string;
  /** The version as the channel lists it. */
  version: string;
  /** Unix milliseconds. */
  start: number;
  /** 0–100. */
  startPercentage: number;
  /** Milliseconds, > 0. */
  durationMs: number;
  state: RolloutState;
  /** The fraction frozen when paused (null unless paused). */
  pausedFraction: number | null;
  /** `--halt-on-stalled N`: paused automatically once N clusters stalled on it (absent: never). */
  haltOnStalled?: number;
  /** Set when that rule last paused it; a resume keeps it, and the rule then waits for N stalled beyond its count. */
  halted?: RolloutHalt;
}

/** How and when the halting rule paused a rollout. */
export interface RolloutHalt {
  /** Unix milliseconds. */
  at: number;
  /** The stalled clusters counted then. */
  stalled: number;
  /** The rule's N then. */
  haltOnStalled: number;
}

/** A channel's canaries: cluster ids (canonical lower-case UUIDs) of wariness 0. */
export interface CanaryList {
  channel: string;
  ids: string[];
}

/** Wariness of a canary: it passes every rollout that is not aborted, from before its start. */
export const CANARY_WARINESS = 0;
/** Wariness of a request without a valid id: it passes a rollout only once its fraction is 1. */
export const NO_ID_WARINESS = 1;

/** The linear part of an active rollout: fraction = a + b × t between start and the time it reaches 1. */
function slope(r: Rollout): { a: number; b: number } {
  const p = r.startPercentage / 100;
  const b = (1 - p) / r.durationMs;
  return { a: p - b * r.start, b };
}

/** The definition: 0 before start; p + (1 − p)(t − start)/duration capped at 1; frozen when paused. */
export function rolloutFraction(r: Rollout, now: number): number {
  switch (r.state) {
    case 'completed':
      return 1;
    case 'aborted':
      return 0;
    case 'paused':
      return r.pausedFraction ?? 0;
    case 'active': {
      if (now < r.start) return 0;
      const p = r.startPercentage / 100;
      return Math.min(1, p + ((1 - p) * (now - r.start)) / r.durationMs);
    }
  }
}

/**
 * Whether a cluster of this wariness sees the edges into the rollout's release. An aborted rollout is seen by no one
 * (canaries included: abort means the release must not be offered); a completed one by everyone.
 */
export function passes(r: Rollout, wariness: number, now: number): boolean {
  if (r.state === 'aborted') return false;
  if (r.state === 'completed') return true;
  return wariness <= rolloutFraction(r, now);
}

/**
 * The rollout after resuming at `now`: active again, with its start moved so that its fraction continues from the
 * value it was paused at (a rollout paused before its start keeps its start, or starts now if that has passed).
 */
export function resumed(r: Rollout, now: number): Rollout {
  const frozen = r.pausedFraction ?? 0;
  const p = r.startPercentage / 100;
  let start = r.start;
  if (frozen > 0 || now >= r.start) {
    const progressed = p >= 1 ? 0 : Math.max(0, frozen - p) / (1 - p);
    start = Math.round(now - progressed * r.durationMs);
  }
  return { ...r, state: 'active', start, pausedFraction: null };
}

/** The rollout after pausing at `now`: its fraction frozen. */
export function paused(r: Rollout, now: number, halted?: RolloutHalt): Rollout {
  return { ...r, state: 'paused', pausedFraction: rolloutFraction(r, now), ...(halted ? { halted } : {}) };
}

/** Rollouts whose visibility depends on the cluster (active or paused); completed and aborted ones do not vary. */
export const isVarying = (r: Rollout): boolean => r.state === 'active' || r.state === 'paused';

/**
 * The bit set of `varying` rollouts (index i ↔ bit i) that a cluster of this wariness passes at `now`. At most 31
 * varying rollouts per channel are distinguished; the caller keeps the list that short.
 */
export function passedMask(varying: readonly Rollout[], wariness: number, now: number): number {
  let mask = 0;
  for (let i = 0; i < varying.length; i++) if (passes(varying[i]!, wariness, now)) mask |= 1 << i;
  return mask;
}

/**
 * Every mask passedMask can give for some wariness in [0, 1] at some time from `now` on. The sets a cluster passes are
 * nested (it passes the rollouts whose fraction is at least its wariness: a prefix of the rollouts sorted by fraction),
 * so at one instant there are at most k + 1 of them. Fractions are piecewise linear in time; their order changes only
 * at a start, at the time one reaches 1, or where two cross, so evaluating the order once in each interval between
 * those instants finds every set that can occur until the next state change.
 */
export function reachableMasks(varying: readonly Rollout[], now: number): number[] {
  const masks = new Set<number>([0]);
  if (varying.length === 0) return [0];
  const events = new Set<number>();
  const lines: Array<{ a: number; b: number }> = [];
  for (const r of varying) {
    if (r.state !== 'active') {
      lines.push({ a: rolloutFraction(r, now), b: 0 });
      continue;
    }
    events.add(r.start);
    events.add(r.start + r.durationMs);
    lines.push(slope(r));
  }
  for (let i = 0; i < lines.length; i++) {
    for (let j = i + 1; j < lines.length; j++) {
      const { a: ai, b: bi } = lines[i]!;
      const { a: aj, b: bj } = lines[j]!;
      if (bi !== bj) events.add((aj - ai) / (bi - bj));
      // A constant line meets a rising one also where the rising one is still at 0 or already at 1.
    }
  }
  const later = [...events].filter((e) => Number.isFinite(e) && e > now).sort((x, y) => x - y);
  const instants = [now];
  let previous = now;
  for (const e of later) {
    instants.push((previous + e) / 2);
    previous = e;
  }
  instants.push(previous + 1);
  for (const t of instants) for (const mask of prefixMasks(varying, t)) masks.add(mask);
  return [...masks].sort((x, y) => x - y);
}

/** The k + 1 (or fewer, when fractions tie) masks of the clusters at one instant, wariness 0 to 1. */
function prefixMasks(varying: readonly Rollout[], now: number): number[] {
  const fractions = varying.map((r) => rolloutFraction(r, now));
  const out: number[] = [];
  // A wariness w passes {i : f_i >= w}; as w sweeps [0, 1] that set changes only at 0 and at each fraction.
  for (const v of new Set([0, ...fractions])) {
    let atLeast = 0;
    let above = 0;
    fractions.forEach((f, i) => {
      if (f >= v) atLeast |= 1 << i;
      if (f > v) above |= 1 << i;
    });
    out.push(atLeast);
    if (v < 1) out.push(above);
  }
  return out;
}

/** The versions a body hides: those of the varying rollouts outside the mask, and every aborted rollout's. */
export function hiddenVersions(rollouts: readonly Rollout[], varying: readonly Rollout[], mask: number): Set<string> {
  const hidden = new Set<string>();
  for (const r of rollouts) if (r.state === 'aborted') hidden.add(r.version);
  varying.forEach((r, i) => {
    if ((mask & (1 << i)) === 0) hidden.add(r.version);
  });
  return hidden;
}

/** Durations as the CLI and API take them: a number and a unit (s, m, h, d), e.g. 48h or 90m; null when not one. */
export function parseRolloutDuration(text: string): number | null {
  const m = /^([1-9][0-9]{0,6})(s|m|h|d)$/.exec(text);
  if (!m) return null;
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}
