// Strict checks of what a person asks to publish; each refusal quotes the offending value and says what to do.
import { KusError, quote } from '../../errors/index.js';
import {
  archProblem, channelNameProblem, compileRegex, formatSemver, KEY, keyIgnoringBuild, parseSemver, requireSemver,
  withBuild, type Metadata, type SemVer,
} from '../../graph/index.js';

export function requireArch(arch: unknown, what = 'arch'): string {
  if (typeof arch !== 'string' || arch === '') {
    throw new KusError('KUS_ERR_INVALID_ARCH', `${what} is required (a Go architecture name such as amd64, arm64 or multi); got ${quote(arch)}`);
  }
  const problem = archProblem(arch);
  if (problem) throw new KusError('KUS_ERR_INVALID_ARCH', `${what}: ${problem}`, { value: arch });
  return arch;
}

export function requireChannelName(name: unknown): string {
  if (typeof name !== 'string') throw new KusError('KUS_ERR_INVALID_CHANNEL', `a channel name must be a string; got ${quote(name)}`);
  const problem = channelNameProblem(name);
  if (problem) throw new KusError('KUS_ERR_INVALID_CHANNEL', problem, { value: name });
  return name;
}

/** Any SemVer, normalised (surrounding whitespace dropped). */
export function requireVersion(text: unknown, what: string): SemVer {
  if (typeof text !== 'string') throw new KusError('KUS_ERR_INVALID_SEMVER', `${what} must be a version string; got ${quote(text)}`);
  return requireSemver(text, what);
}

/**
 * A release's version: SemVer without build metadata, because the node version is `version+arch`. A `+arch` equal
 * to the release's arch is what the node is called, so it is accepted and dropped.
 */
export function releaseVersion(text: unknown, arch: string, what = 'version'): string {
  const v = requireVersion(text, what);
  const build = v.build.join('.');
  if (build !== '' && build !== arch) {
    throw new KusError('KUS_ERR_INVALID_SEMVER',
      `${what} ${quote(text)} carries build metadata "+${build}"; write the version without it (the architecture goes in arch, here ${quote(arch)})`,
      { value: text });
  }
  return formatSemver(withBuild(v, []));
}

/** The node version KUS gives the release of (version, arch). */
export const nodeVersionOf = (version: string, arch: string): string => `${version}+${arch}`;

/** Distinct versions of a previous/next list, normalised, in the order given. */
export function versionList(items: unknown, what: string): string[] {
  if (items === undefined) return [];
  if (!Array.isArray(items)) throw new KusError('KUS_ERR_INVALID_SEMVER', `${what} must be a list of versions; got ${quote(items)}`);
  const out: string[] = [];
  for (const item of items) {
    const v = formatSemver(requireVersion(item, `${what} entry`));
    if (!out.includes(v)) out.push(v);
  }
  return out;
}

/** Metadata the engine derives itself; a stored value would be overwritten or mislead. */
const DERIVED_KEYS: readonly string[] = [KEY.channels, KEY.arch, KEY.manifestref];
const VERSION_LIST_KEYS: readonly string[] = [KEY.previousAdd, KEY.previousRemove, KEY.nextAdd, KEY.nextRemove];

/** One metadata key/value, checked the way the graph build will read it. */
export function checkMetadataEntry(key: unknown, value: unknown, where: string): void {
  if (typeof key !== 'string' || key.trim() === '') throw new KusError('KUS_ERR_INVALID_METADATA', `${where}: a metadata key must be a non-empty string; got ${quote(key)}`);
  if (typeof value !== 'string') {
    throw new KusError('KUS_ERR_INVALID_METADATA', `${where}: metadata ${quote(key)} must be a string; got ${quote(value)}`, { key });
  }
  if (DERIVED_KEYS.includes(key)) {
    throw new KusError('KUS_ERR_INVALID_METADATA', `${where}: metadata ${quote(key)} is set by KUS itself (from channels, arch and digest); leave it out`, { key });
  }
  if (VERSION_LIST_KEYS.includes(key)) {
    for (const item of value.split(',').map((s) => s.trim())) {
      if (!parseSemver(item)) {
        throw new KusError('KUS_ERR_INVALID_METADATA',
          `${where}: ${key} = ${quote(value)} has item ${quote(item)}, which is not a SemVer version (write a comma-separated list of versions)`,
          { key, value: item });
      }
    }
  }
  if (key === KEY.previousRemoveRegex) compileRegex(value, `${where}: ${key}`);
}

export function requireMetadata(metadata: unknown, where: string): Metadata {
  if (metadata === undefined) return {};
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new KusError('KUS_ERR_INVALID_METADATA', `${where}: metadata must be an object of string values; got ${quote(metadata)}`);
  }
  const out: Metadata = {};
  for (const [key, value] of Object.entries(metadata)) {
    checkMetadataEntry(key, value, where);
    out[key] = value as string;
  }
  return out;
}

/** The regex that selects one exact version as the source of an edge, whatever its architecture. */
export function exactVersionRegex(v: SemVer): string {
  const text = formatSemver(v).replace(/[.]/g, '[.]').replace(/[+]/g, '[+]');
  return v.build.length > 0 ? `^${text}$` : `^${text}[+].*$`;
}

/** `from` (a regex) or `fromVersion` (exact), exactly one of them; returns the regex source. */
export function sourceRegex(input: { from?: unknown; fromVersion?: unknown }): string {
  const hasFrom = input.from !== undefined && input.from !== null;
  const hasVersion = input.fromVersion !== undefined && input.fromVersion !== null;
  if (hasFrom === hasVersion) {
    throw new KusError('KUS_ERR_BAD_REQUEST',
      'give exactly one of from (a regex searched in the source version+arch, e.g. ^4[.]9[.](0|1)[+].*$) and fromVersion (one exact version)');
  }
  if (hasVersion) return exactVersionRegex(requireVersion(input.fromVersion, 'fromVersion'));
  if (typeof input.from !== 'string' || input.from === '') {
    throw new KusError('KUS_ERR_INVALID_REGEX', `from must be a non-empty regular expression; got ${quote(input.from)}`);
  }
  compileRegex(input.from, 'from');
  return input.from;
}

/** True when the channel entry (a version, maybe with +arch) selects the release, as the apply-channels step does. */
export function entryCovers(entry: string, version: string, arch: string | null): boolean {
  const e = parseSemver(entry);
  const r = parseSemver(version);
  if (!e || !r || keyIgnoringBuild(e) !== keyIgnoringBuild(r)) return false;
  return e.build.length === 0 || e.build.join('.') === (arch ?? '');
}

/** True when both are SemVer and equal once build metadata is ignored (`4.9.15+arm64` and `4.9.15`). */
export function sameVersionIgnoringBuild(a: string, b: string): boolean {
  const va = parseSemver(a);
  const vb = parseSemver(b);
  return va !== null && vb !== null && keyIgnoringBuild(va) === keyIgnoringBuild(vb);
}

/** `name` if unused, else `name` with -2, -3... before the extension. */
export function uniqueFileName(stem: string, used: ReadonlySet<string>): string {
  if (!used.has(`${stem}.yaml`)) return `${stem}.yaml`;
  for (let n = 2; ; n++) if (!used.has(`${stem}-${n}.yaml`)) return `${stem}-${n}.yaml`;
}

/** `InsightsOperatorDegraded` → `insights-operator-degraded`, for file names. */
export function kebab(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 80) || 'risk';
}
