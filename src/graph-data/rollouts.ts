// KUS's `rollouts/<channel>.yaml` extension (docs/rollouts.md): one channel's phased rollouts and canaries, so that
// export, bundles and a replica's sync carry them. Upstream consumers ignore the folder.
import { quote } from '../errors/index.js';
import {
  channelNameProblem, isStrictSemver, parseSemver, ROLLOUT_STATES, type CanaryList, type ChannelDoc, type Rollout, type RolloutState,
} from '../graph/index.js';
import type { ProblemList } from './problem.js';
import { describeType, isMapping, type YamlMapping } from './yaml-file.js';

export const ROLLOUTS_DIR = 'rollouts';

const KEYS = new Set(['channel', 'canaries', 'rollouts']);
const ROLLOUT_KEYS = new Set(['version', 'start', 'startPercentage', 'durationSeconds', 'state', 'pausedFraction', 'haltOnStalled', 'halted']);
const HALTED_KEYS = new Set(['at', 'stalled', 'haltOnStalled']);
const UUID_LOWER = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

const isCount = (value: unknown, min: number): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= min;

export const rolloutFileName = (channel: string): string => `${channel}.yaml`;

export interface ChannelRolloutsDoc {
  rollouts: Rollout[];
  canaries: string[];
}

/** Returns the channel's rollouts and canaries, or null after reporting (with `refuse`) why the file is unusable. */
export function parseRolloutsFile(fileName: string, doc: YamlMapping, problems: ProblemList): { channel: string } & ChannelRolloutsDoc | null {
  const file = `${ROLLOUTS_DIR}/${fileName}`;
  const fail = (reason: string): null => {
    problems.refuse(file, reason);
    return null;
  };
  const unknown = Object.keys(doc).filter((k) => !KEYS.has(k));
  if (unknown.length > 0) return fail(`unknown keys ${unknown.map((k) => quote(k)).join(', ')} (allowed: ${[...KEYS].join(', ')})`);
  const { channel, canaries = [], rollouts = [] } = doc;
  if (typeof channel !== 'string' || channelNameProblem(channel) !== null) return fail(`channel ${quote(channel)} is not a channel name`);
  if (fileName !== rolloutFileName(channel)) return fail(`is about channel ${quote(channel)}, so it must be named ${quote(rolloutFileName(channel))}`);
  if (!Array.isArray(canaries)) return fail(`canaries must be a sequence of cluster ids (found ${describeType(canaries)})`);
  const badIds = canaries.filter((id) => typeof id !== 'string' || !UUID_LOWER.test(id));
  if (badIds.length > 0) return fail(`canaries ${badIds.map((id) => quote(id)).join(', ')} are not lower-case UUIDs`);
  if (new Set(canaries).size !== canaries.length) return fail('canaries lists an id twice');
  if (!Array.isArray(rollouts)) return fail(`rollouts must be a sequence (found ${describeType(rollouts)})`);
  const out: Rollout[] = [];
  for (const [i, item] of rollouts.entries()) {
    const where = `rollouts[${i}]`;
    if (!isMapping(item)) return fail(`${where} must be a mapping (found ${describeType(item)})`);
    const extra = Object.keys(item).filter((k) => !ROLLOUT_KEYS.has(k));
    if (extra.length > 0) return fail(`${where} has unknown keys ${extra.map((k) => quote(k)).join(', ')} (allowed: ${[...ROLLOUT_KEYS].join(', ')})`);
    const { version, start, startPercentage, durationSeconds, state, pausedFraction = null, haltOnStalled, halted } = item;
    if (typeof version !== 'string' || !isStrictSemver(version) || parseSemver(version)!.build.length > 0) return fail(`${where}.version ${quote(version)} is not SemVer without build metadata`);
    if (typeof start !== 'string' || !RFC3339_UTC.test(start) || Number.isNaN(Date.parse(start))) return fail(`${where}.start ${quote(start)} is not an RFC 3339 UTC time (2026-12-24T08:00:00Z)`);
    if (typeof startPercentage !== 'number' || !(startPercentage >= 0 && startPercentage <= 100)) return fail(`${where}.startPercentage ${quote(startPercentage)} is not between 0 and 100`);
    if (typeof durationSeconds !== 'number' || !Number.isFinite(durationSeconds) || durationSeconds <= 0) return fail(`${where}.durationSeconds ${quote(durationSeconds)} is not a positive number`);
    if (typeof state !== 'string' || !(ROLLOUT_STATES as readonly string[]).includes(state)) return fail(`${where}.state ${quote(state)} is not one of ${ROLLOUT_STATES.join(', ')}`);
    if (state === 'paused' ? typeof pausedFraction !== 'number' || !(pausedFraction >= 0 && pausedFraction <= 1) : pausedFraction !== null) {
      return fail(`${where}.pausedFraction ${quote(pausedFraction)}: a paused rollout needs one between 0 and 1, any other has none`);
    }
    // haltOnStalled and halted came with the halting rule; files written before it have neither.
    if (haltOnStalled !== undefined && !isCount(haltOnStalled, 1)) return fail(`${where}.haltOnStalled ${quote(haltOnStalled)} is not a whole number of at least 1`);
    let halt: Rollout['halted'];
    if (halted !== undefined) {
      if (!isMapping(halted)) return fail(`${where}.halted must be a mapping (found ${describeType(halted)})`);
      const odd = Object.keys(halted).filter((k) => !HALTED_KEYS.has(k));
      if (odd.length > 0) return fail(`${where}.halted has unknown keys ${odd.map((k) => quote(k)).join(', ')} (allowed: ${[...HALTED_KEYS].join(', ')})`);
      const { at, stalled, haltOnStalled: rule } = halted;
      if (typeof at !== 'string' || !RFC3339_UTC.test(at) || Number.isNaN(Date.parse(at))) return fail(`${where}.halted.at ${quote(at)} is not an RFC 3339 UTC time`);
      if (!isCount(stalled, 0) || !isCount(rule, 1)) return fail(`${where}.halted needs whole numbers stalled (${quote(stalled)}) and haltOnStalled (${quote(rule)})`);
      halt = { at: Date.parse(at), stalled, haltOnStalled: rule };
    }
    if (out.some((r) => r.version === version)) return fail(`${where}: ${quote(version)} has two rollouts`);
    out.push({
      channel, version, start: Date.parse(start), startPercentage, durationMs: Math.round(durationSeconds * 1000), state: state as RolloutState,
      pausedFraction: pausedFraction as number | null,
      ...(haltOnStalled !== undefined ? { haltOnStalled } : {}), ...(halt ? { halted: halt } : {}),
    });
  }
  return { channel, rollouts: out, canaries: canaries as string[] };
}

/**
 * Refuses (strict) rollouts and canaries of channels that do not exist or versions they do not list; returns those that
 * remain (lenient reading drops the others, so no rollout outlives its version's place in a channel).
 */
export function checkRolloutTargets(rollouts: Rollout[], canaries: CanaryList[], channels: readonly ChannelDoc[], problems: ProblemList): { rollouts: Rollout[]; canaries: CanaryList[] } {
  const listed = new Map<string, Set<string>>();
  for (const c of channels) {
    const set = listed.get(c.name) ?? new Set<string>();
    for (const e of c.versions) set.add(e.includes('+') ? e.slice(0, e.indexOf('+')) : e);
    listed.set(c.name, set);
  }
  const keptCanaries = canaries.filter((list) => {
    if (listed.has(list.channel)) return true;
    problems.refuse(`${ROLLOUTS_DIR}/${rolloutFileName(list.channel)}`, `channel ${quote(list.channel)} does not exist`);
    return false;
  });
  const keptRollouts = rollouts.filter((r) => {
    const versions = listed.get(r.channel);
    if (versions === undefined) problems.refuse(`${ROLLOUTS_DIR}/${rolloutFileName(r.channel)}`, `channel ${quote(r.channel)} does not exist`);
    else if (!versions.has(r.version)) problems.refuse(`${ROLLOUTS_DIR}/${rolloutFileName(r.channel)}`, `channel ${quote(r.channel)} does not list ${quote(r.version)}`);
    else return true;
    return false;
  });
  return { rollouts: keptRollouts, canaries: keptCanaries };
}

/** The document written for a channel; keys in a fixed order, times in UTC with milliseconds. */
export function rolloutsDocument(channel: string, rollouts: readonly Rollout[], canaries: readonly string[]): YamlMapping {
  const doc: YamlMapping = { channel };
  if (canaries.length > 0) doc.canaries = [...canaries];
  if (rollouts.length > 0) {
    doc.rollouts = rollouts.map((r) => ({
      version: r.version, start: new Date(r.start).toISOString(), startPercentage: r.startPercentage, durationSeconds: r.durationMs / 1000, state: r.state,
      ...(r.state === 'paused' ? { pausedFraction: r.pausedFraction ?? 0 } : {}),
      // Only when set, so a store without the halting rule exports the same files as before it.
      ...(r.haltOnStalled !== undefined ? { haltOnStalled: r.haltOnStalled } : {}),
      ...(r.halted ? { halted: { at: new Date(r.halted.at).toISOString(), stalled: r.halted.stalled, haltOnStalled: r.halted.haltOnStalled } } : {}),
    }));
  }
  return doc;
}

/** Per channel, in channel order: the files the extension writes. */
export function rolloutFiles(rollouts: readonly Rollout[], canaries: readonly CanaryList[]): Map<string, ChannelRolloutsDoc> {
  const byChannel = new Map<string, ChannelRolloutsDoc>();
  const entry = (channel: string): ChannelRolloutsDoc => {
    let e = byChannel.get(channel);
    if (!e) byChannel.set(channel, (e = { rollouts: [], canaries: [] }));
    return e;
  };
  for (const r of rollouts) entry(r.channel).rollouts.push(r);
  for (const list of canaries) entry(list.channel).canaries.push(...list.ids);
  return new Map([...byChannel].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
