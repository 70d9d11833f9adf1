// SemVer 2.0 as the cluster parses it (blang/semver: numbers bounded to uint64) and the notions of "same version"
// the graph semantics use.
//
// Own code, not the `semver` npm package, because measured against the cluster's parser (test/semver-cluster.test.ts
// runs both over the same table) that package disagrees where it matters for a served node: it accepts "v4.9.15" and
// surrounding whitespace, refuses numbers above 2^53 and strings over 256 characters (the cluster takes up to 2^64-1
// and any length), orders numeric pre-release identifiers above 2^53 as rounded doubles, and its canonical form drops
// "+arch", which is part of a node's identity here. Where it does agree, for the lenient reading of what a person
// typed, requireSemver uses it to suggest the version the person meant.
import clean from 'semver/functions/clean.js';
import { KusError, quote } from '../errors/index.js';

export interface SemVer {
  readonly major: string;
  readonly minor: string;
  readonly patch: string;
  readonly pre: readonly string[];
  readonly build: readonly string[];
}

const NUM = '0|[1-9]\\d*';
const PRE_ID = `(?:${NUM}|\\d*[a-zA-Z-][0-9a-zA-Z-]*)`;
const BUILD_ID = '[0-9a-zA-Z-]+';
const SEMVER_RE = new RegExp(
  `^(${NUM})\\.(${NUM})\\.(${NUM})(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+(${BUILD_ID}(?:\\.${BUILD_ID})*))?$`,
);

/** Parsed versions by text: a graph parses the same few thousand strings many times over. Frozen, so shared safely. */
const parsed = new Map<string, SemVer | null>();
const PARSED_LIMIT = 100_000;

/**
 * The base key and build text of each parsed version, made when it is parsed. Every build asks for them once per node
 * and per channel entry (~20,000 times per architecture at upstream scale); made on each call they were new strings
 * the next map lookup had to hash again.
 */
const baseKeys = new WeakMap<SemVer, string>();
const buildTexts = new WeakMap<SemVer, string>();

/** Parse a version; surrounding whitespace is ignored, as upstream's parser does. Returns null when invalid. */
export function parseSemver(text: string): SemVer | null {
  let v = parsed.get(text);
  if (v === undefined) {
    v = parseUncached(text);
    if (parsed.size >= PARSED_LIMIT) parsed.clear();
    parsed.set(text, v);
  }
  return v;
}

/** Largest number blang/semver parses (Go's strconv.ParseUint(s, 10, 64)); one digit longer is always too big. */
const UINT64_MAX = '18446744073709551615';

/** Whether a digit string without leading zeros fits in a uint64: by length, then (same length) by text. */
function fitsUint64(digits: string): boolean {
  return digits.length < UINT64_MAX.length || (digits.length === UINT64_MAX.length && digits <= UINT64_MAX);
}

const NUMERIC = /^\d+$/;

/** The grammar alone lets numbers of any size through; the cluster refuses the whole graph over one that overflows. */
function numbersFit(m: RegExpExecArray): boolean {
  if (!fitsUint64(m[1]!) || !fitsUint64(m[2]!) || !fitsUint64(m[3]!)) return false;
  if (m[4] === undefined) return true;
  for (const id of m[4].split('.')) if (NUMERIC.test(id) && !fitsUint64(id)) return false;
  return true;
}

function parseUncached(text: string): SemVer | null {
  const m = SEMVER_RE.exec(text.trim());
  if (!m || !numbersFit(m)) return null;
  const v: SemVer = Object.freeze({
    major: m[1]!,
    minor: m[2]!,
    patch: m[3]!,
    pre: Object.freeze(m[4] === undefined ? [] : m[4].split('.')),
    build: Object.freeze(m[5] === undefined ? [] : m[5].split('.')),
  });
  baseKeys.set(v, baseKeyOf(v));
  buildTexts.set(v, m[5] ?? '');
  return v;
}

/** Like parseSemver, but throws KUS_ERR_INVALID_SEMVER naming what was being parsed. */
export function requireSemver(text: string, what: string): SemVer {
  const v = parseSemver(text);
  if (!v) {
    throw new KusError('KUS_ERR_INVALID_SEMVER', `${what} ${quote(text)} is not a valid SemVer 2.0 version${suggestion(text)}`, { value: text });
  }
  return v;
}

/** `semver`'s lenient reading ("v4.9.15", "=4.9.15") as a hint, offered only when the cluster would accept it. */
function suggestion(text: string): string {
  const meant = typeof text === 'string' ? clean(text) : null;
  return meant !== null && meant !== text && parseSemver(meant) ? ` (did you mean ${quote(meant)}?)` : '';
}

/** SemVer with no surrounding whitespace and numbers within uint64: exactly what the cluster's parser accepts. */
export function isStrictSemver(text: string): boolean {
  return text.length > 0 && text.trim() === text && parseSemver(text) !== null;
}

export function formatSemver(v: SemVer): string {
  let s = `${v.major}.${v.minor}.${v.patch}`;
  if (v.pre.length > 0) s += `-${v.pre.join('.')}`;
  if (v.build.length > 0) s += `+${v.build.join('.')}`;
  return s;
}

export function withBuild(v: SemVer, build: readonly string[]): SemVer {
  return { ...v, build: [...build] };
}

/** Key under which versions are equal when build metadata is ignored (valid SemVer has no leading zeros). */
export function keyIgnoringBuild(v: SemVer): string {
  return baseKeys.get(v) ?? baseKeyOf(v);
}

function baseKeyOf(v: SemVer): string {
  return v.pre.length > 0 ? `${v.major}.${v.minor}.${v.patch}-${v.pre.join('.')}` : `${v.major}.${v.minor}.${v.patch}`;
}

/** The build metadata as written (`amd64`, `a.b`), '' when there is none. */
export function buildText(v: SemVer): string {
  return buildTexts.get(v) ?? v.build.join('.');
}

/** The version text cut at its first "+": base equality compares these. */
export function baseOf(version: string): string {
  const plus = version.indexOf('+');
  return plus < 0 ? version : version.slice(0, plus);
}

function compareNumeric(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}

function compareIdentifiers(a: string, b: string): number {
  const an = NUMERIC.test(a);
  const bn = NUMERIC.test(b);
  if (an && bn) return compareNumeric(a, b);
  if (an) return -1;
  if (bn) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** SemVer precedence, build metadata ignored: the cluster's order (blang's Compare). */
export function comparePrecedence(a: SemVer, b: SemVer): number {
  const core = compareNumeric(a.major, b.major) || compareNumeric(a.minor, b.minor) || compareNumeric(a.patch, b.patch);
  if (core !== 0) return core;
  if (a.pre.length === 0 || b.pre.length === 0) return a.pre.length === b.pre.length ? 0 : a.pre.length === 0 ? 1 : -1;
  const n = Math.min(a.pre.length, b.pre.length);
  for (let i = 0; i < n; i++) {
    const c = compareIdentifiers(a.pre[i]!, b.pre[i]!);
    if (c !== 0) return c;
  }
  return a.pre.length - b.pre.length;
}

/** SemVer precedence; build metadata breaks ties by text so that sorting is total and deterministic. */
export function compareSemver(a: SemVer, b: SemVer): number {
  const p = comparePrecedence(a, b);
  if (p !== 0) return p;
  const ab = a.build.join('.');
  const bb = b.build.join('.');
  return ab < bb ? -1 : ab > bb ? 1 : 0;
}

/** Compare two version strings; unparsable strings sort after valid ones, by text. */
export function compareVersionText(a: string, b: string): number {
  const pa = parseSemver(a);
  const pb = parseSemver(b);
  if (pa && pb) return compareSemver(pa, pb) || (a < b ? -1 : a > b ? 1 : 0);
  if (pa) return -1;
  if (pb) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
