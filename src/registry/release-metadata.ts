// The `release-manifests/release-metadata` document of a release image (graph-semantics §4.1), validated.
import { formatSemver, isStrictSemver, parseSemver, withBuild } from '../graph/index.js';

export const RELEASE_METADATA_PATH = 'release-manifests/release-metadata';
export const RELEASE_METADATA_KIND = 'cincinnati-metadata-v0';

export interface ReleaseDocument {
  /** The version without build metadata: the architecture becomes the build metadata of the node. */
  version: string;
  previous: string[];
  next: string[];
  metadata: Record<string, string>;
}

export type ParsedDocument = { ok: true; doc: ReleaseDocument } | { ok: false; problem: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => JSON.stringify(v)?.slice(0, 100) ?? String(v);

function versionList(doc: Record<string, unknown>, field: 'previous' | 'next'): string[] | string {
  const list = doc[field];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) return `"${field}" is not a list`;
  const bad = list.find((v) => typeof v !== 'string' || !isStrictSemver(v));
  if (bad !== undefined) return `"${field}" lists ${show(bad)}, which is not a SemVer version`;
  return list as string[];
}

/** Checks kind, SemVer version/previous/next and string metadata; unknown fields are ignored, as upstream does. */
export function parseReleaseMetadata(bytes: Buffer): ParsedDocument {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    return { ok: false, problem: `it is not JSON (${(err as Error).message})` };
  }
  if (!isRecord(json)) return { ok: false, problem: 'it is not a JSON object' };
  if (json.kind !== RELEASE_METADATA_KIND) return { ok: false, problem: `"kind" is ${show(json.kind)}, not "${RELEASE_METADATA_KIND}"` };
  if (typeof json.version !== 'string' || !isStrictSemver(json.version)) {
    return { ok: false, problem: `"version" ${show(json.version)} is not a SemVer version` };
  }
  const previous = versionList(json, 'previous');
  if (typeof previous === 'string') return { ok: false, problem: previous };
  const next = versionList(json, 'next');
  if (typeof next === 'string') return { ok: false, problem: next };
  const metadata: Record<string, string> = {};
  if (json.metadata !== undefined && json.metadata !== null) {
    if (!isRecord(json.metadata)) return { ok: false, problem: '"metadata" is not an object' };
    for (const [key, value] of Object.entries(json.metadata)) {
      if (typeof value !== 'string') return { ok: false, problem: `metadata ${show(key)} is ${show(value)}, not a string` };
      metadata[key] = value;
    }
  }
  const version = formatSemver(withBuild(parseSemver(json.version)!, []));
  return { ok: true, doc: { version, previous, next, metadata } };
}
