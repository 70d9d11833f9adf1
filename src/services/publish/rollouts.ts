// Planning rollout writes (docs/rollouts.md): start, the state changes, and channel canaries. Each plan replaces one
// channel's rollouts and canaries; the time of the write comes in as an argument (the caller's clock).
import { KusError, quote } from '../../errors/index.js';
import {
  keyIgnoringBuild, parseRolloutDuration, paused, resumed, rolloutFraction, type CanaryList, type GraphData, type Rollout,
} from '../../graph/index.js';
import type { GraphInput } from '../../store/index.js';
import { canonicalClusterId } from '../wariness.js';
import { requireChannel, type WithChannels } from './lookup.js';
import { unchanged, withGraphData, type Plan } from './plan.js';
import { requireChannelName, requireVersion } from './validate.js';

export const ROLLOUT_ACTIONS = ['pause', 'resume', 'complete', 'abort'] as const;
export type RolloutAction = (typeof ROLLOUT_ACTIONS)[number];

export interface RolloutStartInput {
  channel: string;
  version: string;
  /** A whole number and a unit: 30s, 90m, 48h, 7d. */
  duration: string;
  /** RFC 3339; default: the time of the write. */
  start?: string;
  /** 0–100; default 0. */
  startPercentage?: number;
  /** `--halt-on-stalled N`: paused automatically once N clusters stalled (services/rollout-halts.ts); absent: never. */
  haltOnStalled?: number;
}

/** A rollout as the API and CLI show it: times as RFC 3339, and its fraction at the time asked. */
export interface RolloutInfo {
  channel: string;
  version: string;
  state: Rollout['state'];
  start: string;
  startPercentage: number;
  durationSeconds: number;
  fraction: number;
  pausedFraction: number | null;
  /** Paused automatically once this many clusters stalled; null: never. */
  haltOnStalled: number | null;
  /** When the halting rule last paused it, with the count and the rule; null when it never did. Kept by a resume. */
  halted: RolloutHaltInfo | null;
}

export interface RolloutHaltInfo {
  at: string;
  stalled: number;
  haltOnStalled: number;
  /** For people: the rule and the count, e.g. "halt-on-stalled 3: 3 clusters stalled". */
  reason: string;
}

export const haltReason = (stalled: number, haltOnStalled: number): string =>
  `halt-on-stalled ${haltOnStalled}: ${stalled} cluster${stalled === 1 ? '' : 's'} stalled`;

export const rolloutInfo = (r: Rollout, now: number): RolloutInfo => ({
  channel: r.channel, version: r.version, state: r.state, start: new Date(r.start).toISOString(), startPercentage: r.startPercentage,
  durationSeconds: r.durationMs / 1000, fraction: rolloutFraction(r, now), pausedFraction: r.pausedFraction,
  haltOnStalled: r.haltOnStalled ?? null,
  halted: r.halted ? { at: new Date(r.halted.at).toISOString(), stalled: r.halted.stalled, haltOnStalled: r.halted.haltOnStalled, reason: haltReason(r.halted.stalled, r.halted.haltOnStalled) } : null,
});

/** What the halting rule saw when it paused a rollout. */
export interface RolloutHaltInput {
  stalled: number;
  haltOnStalled: number;
  /** Some of the stalled clusters, for the audit row. */
  stalledIds?: string[];
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

/** The channel exists and lists the version (any architecture): the rollout's version as the channel lists it. */
function requireListed(current: GraphInput, channelText: string, versionText: string): { channel: string; version: string } {
  const channel = requireChannelName(channelText);
  const docs = requireChannel(current, channel);
  const version = keyIgnoringBuild(requireVersion(versionText, 'version'));
  const listed = docs.some((d) => d.versions.some((e) => {
    const plus = e.indexOf('+');
    return (plus < 0 ? e : e.slice(0, plus)) === version;
  }));
  if (!listed) {
    const versions = docs.flatMap((d) => d.versions);
    throw new KusError('KUS_ERR_NOT_FOUND', `version ${quote(version)} is not in channel ${quote(channel)} (${versions.length === 0 ? 'it lists no versions' : `it lists ${versions.slice(-5).join(', ')}${versions.length > 5 ? ', …' : ''}`}); add it with "kus channel add ${channel} ${version}" first`, { channel, version });
  }
  return { channel, version };
}

const rolloutsOf = (current: GraphInput, channel: string): Rollout[] => (current.graphData.rollouts ?? []).filter((r) => r.channel === channel);
const canariesOf = (current: { graphData: Pick<GraphData, 'canaries'> }, channel: string): string[] => (current.graphData.canaries ?? []).find((c) => c.channel === channel)?.ids ?? [];

/** The input with one channel's rollouts and canaries replaced (other channels untouched, order kept). */
function withChannel(current: GraphInput, channel: string, rollouts: Rollout[], ids: string[]): GraphInput {
  const others = (current.graphData.rollouts ?? []).filter((r) => r.channel !== channel);
  const lists: CanaryList[] = (current.graphData.canaries ?? []).filter((c) => c.channel !== channel);
  if (ids.length > 0) lists.push({ channel, ids });
  const byKey = (a: Rollout, b: Rollout): number => (a.channel < b.channel ? -1 : a.channel > b.channel ? 1 : a.version < b.version ? -1 : a.version > b.version ? 1 : 0);
  return withGraphData(current, {
    rollouts: [...others, ...rollouts].sort(byKey),
    canaries: lists.sort((a, b) => (a.channel < b.channel ? -1 : a.channel > b.channel ? 1 : 0)),
  });
}

function channelPlan<T>(current: GraphInput, channel: string, rollouts: Rollout[], ids: string[], value: T, before: unknown, after: unknown): Plan<T> {
  return {
    value, warnings: [], changed: true, before, after,
    candidate: withChannel(current, channel, rollouts, ids),
    write: (store) => store.rollouts.replaceChannel(channel, rollouts, ids),
  };
}

export function planStartRollout(current: GraphInput, input: RolloutStartInput, now: number): Plan<RolloutInfo> {
  const { channel, version } = requireListed(current, input.channel, input.version);
  const durationMs = typeof input.duration === 'string' ? parseRolloutDuration(input.duration) : null;
  if (durationMs === null) {
    throw new KusError('KUS_ERR_INVALID_ROLLOUT', `duration ${quote(input.duration)} is not a whole number and a unit (s, m, h, d), e.g. 48h`, { duration: input.duration });
  }
  let start = now;
  if (input.start !== undefined) {
    const parsed = RFC3339.test(input.start) ? Date.parse(input.start) : NaN;
    if (Number.isNaN(parsed)) throw new KusError('KUS_ERR_INVALID_ROLLOUT', `start ${quote(input.start)} is not an RFC 3339 time such as 2026-12-24T08:00:00Z`, { start: input.start });
    start = parsed;
  }
  const startPercentage = input.startPercentage ?? 0;
  if (typeof startPercentage !== 'number' || !Number.isFinite(startPercentage) || startPercentage < 0 || startPercentage > 100) {
    throw new KusError('KUS_ERR_INVALID_ROLLOUT', `start percentage ${quote(startPercentage)} is not between 0 and 100`, { startPercentage });
  }
  const haltOnStalled = input.haltOnStalled;
  if (haltOnStalled !== undefined && (typeof haltOnStalled !== 'number' || !Number.isSafeInteger(haltOnStalled) || haltOnStalled < 1)) {
    throw new KusError('KUS_ERR_INVALID_ROLLOUT', `halt-on-stalled ${quote(haltOnStalled)} is not a whole number of at least 1`, { haltOnStalled });
  }
  const existing = rolloutsOf(current, channel);
  const previous = existing.find((r) => r.version === version);
  if (previous && (previous.state === 'active' || previous.state === 'paused')) {
    throw new KusError('KUS_ERR_CONFLICT', `${version} already has ${previous.state === 'active' ? 'an' : 'a'} ${previous.state} rollout in ${channel}; pause, resume, complete or abort it instead`, { channel, version, state: previous.state });
  }
  const rollout: Rollout = {
    channel, version, start, startPercentage, durationMs, state: 'active', pausedFraction: null, ...(haltOnStalled !== undefined ? { haltOnStalled } : {}),
  };
  const rest = existing.filter((r) => r !== previous);
  return channelPlan(current, channel, [...rest, rollout], canariesOf(current, channel), rolloutInfo(rollout, now), previous ?? null, rollout);
}

/** Which states each action leaves from (its own target state is a no-op). */
const FROM: Record<RolloutAction, readonly Rollout['state'][]> = {
  pause: ['active'], resume: ['paused'], complete: ['active', 'paused'], abort: ['active', 'paused', 'completed'],
};
const TO: Record<RolloutAction, Rollout['state']> = { pause: 'paused', resume: 'active', complete: 'completed', abort: 'aborted' };

export function planRolloutAction(current: GraphInput, channelText: string, versionText: string, action: RolloutAction, now: number): Plan<RolloutInfo> {
  const { channel, version } = requireListed(current, channelText, versionText);
  const existing = rolloutsOf(current, channel);
  const rollout = existing.find((r) => r.version === version);
  if (!rollout) {
    throw new KusError('KUS_ERR_NOT_FOUND', `${version} has no rollout in ${channel}; start one with "kus rollout start ${channel} ${version} --duration 48h"`, { channel, version });
  }
  if (rollout.state === TO[action]) return unchanged(current, rolloutInfo(rollout, now));
  if (!FROM[action].includes(rollout.state)) {
    throw new KusError('KUS_ERR_CONFLICT', `cannot ${action} the rollout of ${version} in ${channel}: it is ${rollout.state}`, { channel, version, state: rollout.state });
  }
  const next: Rollout = action === 'pause' ? paused(rollout, now) : action === 'resume' ? resumed(rollout, now) : { ...rollout, state: TO[action], pausedFraction: null };
  const rollouts = existing.map((r) => (r === rollout ? next : r));
  return channelPlan(current, channel, rollouts, canariesOf(current, channel), rolloutInfo(next, now), rollout, next);
}

/**
 * The halting rule's pause: the same change as `pause`, with how and when recorded on the rollout. Only an active
 * rollout is halted; one an admin paused, completed or aborted meanwhile is left as it is (unchanged, no audit row).
 */
export function planHaltRollout(current: GraphInput, channelText: string, versionText: string, halt: RolloutHaltInput, now: number): Plan<RolloutInfo> {
  const { channel, version } = requireListed(current, channelText, versionText);
  const existing = rolloutsOf(current, channel);
  const rollout = existing.find((r) => r.version === version);
  if (!rollout) {
    throw new KusError('KUS_ERR_NOT_FOUND', `${version} has no rollout in ${channel}`, { channel, version });
  }
  if (rollout.state !== 'active') return unchanged(current, rolloutInfo(rollout, now));
  const next = paused(rollout, now, { at: now, stalled: halt.stalled, haltOnStalled: halt.haltOnStalled });
  const rollouts = existing.map((r) => (r === rollout ? next : r));
  return channelPlan(current, channel, rollouts, canariesOf(current, channel), rolloutInfo(next, now), rollout,
    { ...next, reason: haltReason(halt.stalled, halt.haltOnStalled), stalledIds: (halt.stalledIds ?? []).slice(0, 100) });
}

export function requireClusterId(text: unknown): string {
  const id = typeof text === 'string' ? canonicalClusterId(text) : undefined;
  if (id === undefined) throw new KusError('KUS_ERR_INVALID_CLUSTER_ID', `cluster id ${quote(text)} is not a UUID (8-4-4-4-12 hex digits)`, { value: text });
  return id;
}

export function planCanaries(current: GraphInput, channelText: string, op: 'add' | 'remove', idTexts: readonly unknown[]): Plan<string[]> {
  const channel = requireChannelName(channelText);
  requireChannel(current, channel);
  const ids = idTexts.map(requireClusterId);
  const before = canariesOf(current, channel);
  const after = op === 'add' ? [...before, ...ids.filter((id, i) => !before.includes(id) && ids.indexOf(id) === i)] : before.filter((id) => !ids.includes(id));
  if (after.length === before.length) return unchanged(current, before);
  return channelPlan(current, channel, rolloutsOf(current, channel), after, after, before, after);
}

/** A channel's canary list (empty when it has none); refuses an unknown channel. */
export function canaryList(current: WithChannels & { graphData: Pick<GraphData, 'canaries'> }, channelText: string): string[] {
  const channel = requireChannelName(channelText);
  requireChannel(current, channel);
  return [...canariesOf(current, channel)];
}

/**
 * A channel write's plan, extended so no rollout outlives its channel or its version's place in the channel (a
 * rollout of a version the channel no longer lists would make the exported graph-data unreadable).
 */
export function pruneRolloutsOf<T>(plan: Plan<T>, channel: string): Plan<T> {
  const candidate = plan.candidate;
  const docs = candidate.graphData.channels.filter((c) => c.name === channel);
  const listed = new Set(docs.flatMap((d) => d.versions.map((e) => (e.includes('+') ? e.slice(0, e.indexOf('+')) : e))));
  const rollouts = rolloutsOf(candidate, channel);
  const kept = rollouts.filter((r) => listed.has(r.version));
  const ids = docs.length === 0 ? [] : canariesOf(candidate, channel);
  if (kept.length === rollouts.length && ids.length === canariesOf(candidate, channel).length) return plan;
  const write = plan.write;
  return {
    ...plan,
    candidate: withChannel(candidate, channel, kept, ids),
    write: (store) => {
      write(store);
      store.rollouts.replaceChannel(channel, kept, ids);
    },
  };
}

/** The input without rollouts of versions their channel does not list, nor canaries of channels that do not exist. */
export function withoutOrphanRollouts(input: GraphInput): GraphInput {
  const listed = new Map<string, Set<string>>();
  for (const c of input.graphData.channels) {
    const set = listed.get(c.name) ?? new Set<string>();
    for (const e of c.versions) set.add(e.includes('+') ? e.slice(0, e.indexOf('+')) : e);
    listed.set(c.name, set);
  }
  const rollouts = input.graphData.rollouts ?? [];
  const canaries = input.graphData.canaries ?? [];
  const keptRollouts = rollouts.filter((r) => listed.get(r.channel)?.has(r.version) === true);
  const keptCanaries = canaries.filter((c) => listed.has(c.channel));
  if (keptRollouts.length === rollouts.length && keptCanaries.length === canaries.length) return input;
  return withGraphData(input, { rollouts: keptRollouts, canaries: keptCanaries });
}
