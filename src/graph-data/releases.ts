// KUS's `releases/*.yaml` extension (docs/graph-data.md): one release per file, ignored by upstream consumers.
import { quote } from '../errors/index.js';
import { archProblem, DIGEST_RE, isStrictSemver, parseSemver, payloadDigest, type Metadata, type Release } from '../graph/index.js';
import type { ProblemList } from './problem.js';
import { describeType, isMapping, type YamlMapping } from './yaml-file.js';

export const RELEASES_DIR = 'releases';

const KEYS = new Set(['version', 'arch', 'payload', 'digest', 'previous', 'next', 'metadata']);

/** `<version>+<arch>.yaml`, or `<version>.yaml` for a release without architecture. */
export function releaseFileName(release: Pick<Release, 'version' | 'arch'>): string {
  return release.arch === null ? `${release.version}.yaml` : `${release.version}+${release.arch}.yaml`;
}

/** Returns the release, or null after reporting (with `refuse`) why the file is unusable. */
export function parseRelease(fileName: string, doc: YamlMapping, problems: ProblemList): Release | null {
  const file = `${RELEASES_DIR}/${fileName}`;
  const fail = (reason: string): null => {
    problems.refuse(file, reason);
    return null;
  };
  const unknown = Object.keys(doc).filter((k) => !KEYS.has(k));
  if (unknown.length > 0) return fail(`unknown keys ${unknown.map((k) => quote(k)).join(', ')} (allowed: ${[...KEYS].join(', ')})`);

  const { version, arch = null, payload, previous = [], next = [], metadata = {} } = doc;
  if (typeof version !== 'string' || !isStrictSemver(version)) return fail(`version ${quote(version)} is not SemVer`);
  if (arch !== null) {
    if (typeof arch !== 'string') return fail(`arch must be a string (found ${describeType(arch)} ${quote(arch)})`);
    const why = archProblem(arch);
    if (why) return fail(why);
    if (parseSemver(version)!.build.length > 0) return fail(`version ${quote(version)} carries build metadata; the architecture goes in "arch"`);
  }
  if (typeof payload !== 'string') return fail(payload === undefined ? 'has no payload' : `payload must be a string (found ${quote(payload)})`);
  const payloadHash = payloadDigest(payload);
  if (!payloadHash) return fail(`payload ${quote(payload)} is not a pull spec by digest (repo@sha256:<64 hex>)`);

  let digest: string | null = payloadHash;
  if ('digest' in doc) {
    // An explicit null means "unknown", which a release converted from a graph-builder document can be.
    if (doc.digest !== null && (typeof doc.digest !== 'string' || !DIGEST_RE.test(doc.digest))) {
      return fail(`digest ${quote(doc.digest)} is not sha256:<64 hex>`);
    }
    digest = doc.digest as string | null;
  }
  const prev = versionList(previous, 'previous');
  if (typeof prev === 'string') return fail(prev);
  const nxt = versionList(next, 'next');
  if (typeof nxt === 'string') return fail(nxt);
  if (!isMapping(metadata)) return fail(`metadata must be a mapping of strings (found ${describeType(metadata)})`);
  const meta: Metadata = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') return fail(`metadata key ${quote(key)} must be a string (found ${describeType(value)} ${quote(value)})`);
    meta[key] = value;
  }

  const release: Release = { version, arch: arch as string | null, payload, digest, metadata: meta, previous: prev, next: nxt };
  const expected = releaseFileName(release);
  if (expected !== fileName) return fail(`holds ${quote(version)}${arch === null ? '' : ` for ${quote(arch)}`}, so it must be named ${quote(expected)}`);
  return release;
}

function versionList(value: unknown, key: string): string[] | string {
  if (!Array.isArray(value)) return `${key} must be a sequence of versions (found ${describeType(value)})`;
  const bad = value.filter((v) => typeof v !== 'string' || !isStrictSemver(v));
  if (bad.length > 0) return `${key} entries ${bad.map((v) => quote(v)).join(', ')} are not SemVer`;
  return value as string[];
}

/** The document written for a release; `digest` only when it differs from the payload's. */
export function releaseDocument(release: Release): YamlMapping {
  const doc: YamlMapping = { version: release.version };
  if (release.arch !== null) doc.arch = release.arch;
  doc.payload = release.payload;
  if (release.digest !== payloadDigest(release.payload)) doc.digest = release.digest;
  if (release.previous.length > 0) doc.previous = release.previous;
  if (release.next.length > 0) doc.next = release.next;
  if (Object.keys(release.metadata).length > 0) doc.metadata = release.metadata;
  return doc;
}
