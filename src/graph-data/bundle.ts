// A KUS bundle's layout: a gzip'd ustar holding graph-data/ (as `kus export` writes it, signatures included),
// configmaps/, a manifest.json listing every other file with its SHA-256, and manifest.json.sig (detached OpenPGP).
import { createHash } from 'node:crypto';
import { KusError, quote } from '../errors/index.js';
import type { TarFile } from '../tar/index.js';

export const BUNDLE_KIND = 'kus-bundle';
export const BUNDLE_VERSION = 1;
export const BUNDLE_MANIFEST = 'manifest.json';
export const BUNDLE_SIGNATURE = 'manifest.json.sig';
/** Folder of the graph-data tree inside the bundle. */
export const BUNDLE_GRAPH_DATA = 'graph-data';
/** Folder of the ConfigMaps to apply on clusters (signature ConfigMaps, the verifier ConfigMap). */
export const BUNDLE_CONFIGMAPS = 'configmaps';

export interface BundleManifest {
  kind: typeof BUNDLE_KIND;
  version: typeof BUNDLE_VERSION;
  createdAt: string;
  creator: string;
  /** The export's filters (empty: everything). */
  channels: string[];
  arches: string[];
  files: Array<{ path: string; size: number; sha256: string }>;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** The manifest's bytes: files sorted by path, pretty JSON (people read it). */
export function bundleManifestText(meta: Omit<BundleManifest, 'kind' | 'version' | 'files'>, files: readonly TarFile[]): Buffer {
  const listed = [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => ({ path: f.path, size: f.bytes.length, sha256: sha256(f.bytes) }));
  const manifest: BundleManifest = { kind: BUNDLE_KIND, version: BUNDLE_VERSION, ...meta, files: listed };
  return Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
}

function parseManifest(bytes: Uint8Array, source: string): BundleManifest {
  const bad = (why: string): KusError => new KusError('KUS_ERR_BUNDLE', `${quote(source)}: ${BUNDLE_MANIFEST} ${why}`, { source });
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw bad(`is not JSON (${(err as Error).message})`);
  }
  const m = doc as Partial<BundleManifest>;
  if (typeof doc !== 'object' || doc === null || m.kind !== BUNDLE_KIND) throw bad(`is not a KUS bundle manifest (kind ${quote(m?.kind)})`);
  if (m.version !== BUNDLE_VERSION) throw bad(`has version ${quote(m.version)}; this KUS reads version ${BUNDLE_VERSION}`);
  const ok = Array.isArray(m.files) && m.files.every((f) => typeof f?.path === 'string' && typeof f.size === 'number' && typeof f.sha256 === 'string');
  if (!ok) throw bad('has no valid file list');
  return { ...m, channels: Array.isArray(m.channels) ? m.channels : [], arches: Array.isArray(m.arches) ? m.arches : [] } as BundleManifest;
}

/**
 * The manifest and the files it lists, after checking that the archive holds exactly those files with those sizes
 * and SHA-256 digests. The manifest's own signature is checked by the caller (signatures live above this layer).
 * Throws KUS_ERR_BUNDLE naming every file that is missing, extra or different.
 */
export function checkBundle(files: readonly TarFile[], source: string): { manifest: BundleManifest; manifestBytes: Uint8Array; signature: Uint8Array; files: TarFile[] } {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const manifestFile = byPath.get(BUNDLE_MANIFEST);
  const signatureFile = byPath.get(BUNDLE_SIGNATURE);
  if (!manifestFile || !signatureFile) {
    throw new KusError('KUS_ERR_BUNDLE', `${quote(source)} is not a KUS bundle: it has no ${!manifestFile ? BUNDLE_MANIFEST : BUNDLE_SIGNATURE}`, { source });
  }
  const manifest = parseManifest(manifestFile.bytes, source);
  const problems: string[] = [];
  const listed = new Set<string>();
  for (const entry of manifest.files) {
    listed.add(entry.path);
    const f = byPath.get(entry.path);
    if (!f) problems.push(`${entry.path}: listed in the manifest but missing`);
    else if (f.bytes.length !== entry.size || sha256(f.bytes) !== entry.sha256) problems.push(`${entry.path}: its SHA-256 does not match the manifest (changed after signing)`);
  }
  for (const f of files) {
    if (f.path !== BUNDLE_MANIFEST && f.path !== BUNDLE_SIGNATURE && !listed.has(f.path)) problems.push(`${f.path}: not listed in the manifest (added after signing)`);
  }
  if (problems.length > 0) {
    throw new KusError('KUS_ERR_BUNDLE', `${quote(source)} was changed after it was signed; nothing was imported:\n${problems.map((p) => `  ${p}`).join('\n')}`, { source, problems });
  }
  return { manifest, manifestBytes: manifestFile.bytes, signature: signatureFile.bytes, files: files.filter((f) => listed.has(f.path)) };
}
