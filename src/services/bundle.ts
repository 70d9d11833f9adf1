// Bundles for disconnected sites: `kus bundle export` packs graph-data (optionally some channels/arches), the
// signatures of its releases, the public keys, the ConfigMaps clusters need, a SHA-256 manifest and a detached
// signature of it by an active key. `kus bundle import` checks all of it before anything is written, then applies
// it in one transaction: the store's graph becomes the bundle's, its signatures are added. The same bundle twice is
// a no-op.
import { gunzipSync, gzipSync } from 'node:zlib';
import { isKusError, KusError, quote } from '../errors/index.js';
import { graphDataOf, payloadDigest, type Release } from '../graph/index.js';
import { trialBuild } from './trial-build.js';
import {
  BUNDLE_CONFIGMAPS, BUNDLE_GRAPH_DATA, BUNDLE_MANIFEST, BUNDLE_SIGNATURE, bundleManifestText, checkBundle, formatProblems,
  GRAPH_DATA_DIRS, graphDataFiles, type Problem,
} from '../graph-data/index.js';
import {
  DEFAULT_STORE_NAME, DEFAULT_VERIFIER_NAME, digestHex, DIGEST_ALGORITHM, KEYS_DIR, renderManifests, signatureConfigMap, signatureFileName,
  SIGNATURES_DIR, signDetached, unlockPrivateKey, verifierConfigMap, verifyDetached,
} from '../signatures/index.js';
import type { GraphInput, Store } from '../store/index.js';
import { readTar, writeTar, type TarFile } from '../tar/index.js';
import { verifierGapError, verifierGaps, verifierKeys } from './bundle-verifier.js';
import { requirePassphrase } from './keys.js';
import { auditedWrite, recordRefusal } from './publish/audited-write.js';
import type { Actor, WriteResult } from './publish/types.js';
import { entryCovers, requireArch, requireChannelName } from './publish/validate.js';
import { readSignaturesForImport } from './signature-files.js';
import { withUnpackedGraphData } from './unpacked-graph-data.js';

/** Bundles carry whole channels of releases; far bigger than this is not one. */
const MAX_BUNDLE_TAR_BYTES = 1024 * 1024 * 1024;

export interface BundleExportOptions {
  /** Only these channels (and the releases they list); empty: every channel and release. */
  channels: readonly string[];
  /** Only releases of these architectures; empty: every one. */
  arches: readonly string[];
  /** The signature store URL clusters at the site use, for the verifier ConfigMap. */
  storeUrl: string;
  passphrase: () => string | undefined;
  creator: string;
  now?: Date;
  /** Names of the keys the verifier ConfigMap carries; empty: the active keys. */
  verifierKeys?: readonly string[];
}

export interface BundleExportReport {
  releases: number;
  channels: number;
  signatures: number;
  files: number;
  /** The key whose detached signature covers the manifest. */
  signedBy: string;
  /** The keys in configmaps/verifier.yaml. */
  verifierKeys: string[];
  /** Releases (VERSION+ARCH) without any signature: clusters that verify will not update to them. */
  unsigned: string[];
}

export interface BundleImportReport {
  source: string;
  createdAt: string;
  creator: string;
  signedBy: string;
  releases: number;
  channels: number;
  /** Signatures in the bundle, and how many were new to the store. */
  signatures: { read: number; added: number };
  /** True when the store's graph (releases, channels, edges, metadata) was replaced. */
  graphReplaced: boolean;
}

const graphFile = (p: string): string => `${BUNDLE_GRAPH_DATA}/${p}`;

/** What the filters select; channels must exist, arches must be valid. */
function select(input: GraphInput, channels: readonly string[], arches: readonly string[]): GraphInput {
  const names = channels.map((c) => requireChannelName(c));
  const archList = arches.map((a) => requireArch(a));
  const docs = names.length === 0 ? input.graphData.channels : input.graphData.channels.filter((c) => names.includes(c.name));
  const missing = names.filter((n) => !docs.some((d) => d.name === n));
  if (missing.length > 0) {
    throw new KusError('KUS_ERR_NOT_FOUND', `no channel ${missing.map((m) => quote(m)).join(', ')} (stored: ${input.graphData.channels.map((c) => c.name).join(', ') || 'none'})`, { channels: missing });
  }
  const releases = input.releases.filter((r) =>
    (archList.length === 0 || archList.includes(r.arch ?? '')) &&
    (names.length === 0 || docs.some((d) => d.versions.some((e) => entryCovers(e, r.version, r.arch)))));
  return { releases, graphData: graphDataOf({ ...input.graphData, channels: docs }) };
}

export async function exportBundle(store: Store, options: BundleExportOptions): Promise<{ bytes: Buffer; report: BundleExportReport }> {
  const now = options.now ?? new Date();
  const chosen = select(store.loadGraphInput(), options.channels, options.arches);
  const digests = new Set(chosen.releases.map((r) => payloadDigest(r.payload)).filter((d): d is string => d !== null));
  const signatures = store.signatures.list().filter((s) => digests.has(s.digest));
  const keys = store.signingKeys.list();
  const active = keys.filter((k) => k.active);
  const signer = active.find((k) => k.privateKey !== null);
  if (!signer) {
    throw new KusError('KUS_ERR_NO_SIGNING_KEY', 'a bundle is signed by an active key with its private part in KUS; there is none (kus key generate, or kus key import a secret key)');
  }

  const verifying = verifierKeys(keys, options.verifierKeys ?? []);
  const gaps = verifierGaps(chosen.releases, signatures, verifying);
  if (gaps.length > 0) throw verifierGapError(gaps, verifying);
  const signed = new Set(signatures.map((s) => s.digest));
  const unsigned = chosen.releases.filter((r) => !signed.has(payloadDigest(r.payload) ?? '')).map((r) => `${r.version}+${r.arch ?? ''}`);

  const files: TarFile[] = graphDataFiles({ data: chosen.graphData, releases: chosen.releases }).map((f) => ({ path: graphFile(f.path), bytes: Buffer.from(f.text, 'utf8') }));
  for (const s of signatures) {
    files.push({ path: graphFile(`${SIGNATURES_DIR}/${DIGEST_ALGORITHM}/${digestHex(s.digest)}/${signatureFileName(s.index)}`), bytes: s.bytes });
  }
  for (const k of keys) {
    files.push({ path: graphFile(`${SIGNATURES_DIR}/${KEYS_DIR}/${k.name}.asc`), bytes: Buffer.from(k.publicKey.endsWith('\n') ? k.publicKey : `${k.publicKey}\n`) });
  }
  const byDigest = new Map<string, typeof signatures>();
  for (const s of signatures) byDigest.set(s.digest, [...(byDigest.get(s.digest) ?? []), s]);
  if (byDigest.size > 0) {
    files.push({ path: `${BUNDLE_CONFIGMAPS}/signatures.yaml`, bytes: Buffer.from(renderManifests([...byDigest].map(([d, list]) => signatureConfigMap(d, list)))) });
  }
  const verifier = verifierConfigMap({ name: DEFAULT_VERIFIER_NAME, keys: verifying, storeName: DEFAULT_STORE_NAME, storeUrl: options.storeUrl });
  files.push({ path: `${BUNDLE_CONFIGMAPS}/verifier.yaml`, bytes: Buffer.from(renderManifests([verifier])) });

  const manifest = bundleManifestText({ createdAt: now.toISOString(), creator: options.creator, channels: [...options.channels], arches: [...options.arches] }, files);
  const key = await unlockPrivateKey(signer.privateKey!, requirePassphrase(options.passphrase, 'signing the bundle'), signer.name);
  const signature = await signDetached(manifest, key, now);
  const tar = await writeTar([...files, { path: BUNDLE_MANIFEST, bytes: manifest }, { path: BUNDLE_SIGNATURE, bytes: signature }], GRAPH_DATA_DIRS.map(graphFile));
  return {
    bytes: gzipSync(tar, { level: 9 }),
    report: { releases: chosen.releases.length, channels: chosen.graphData.channels.length, signatures: signatures.length, files: files.length + 2, signedBy: signer.name, verifierKeys: verifying.map((k) => k.name), unsigned },
  };
}

/** Canonical text of a graph input (what export would write), to tell whether an import changes anything. */
const canonical = (input: GraphInput): string =>
  graphDataFiles({ data: input.graphData, releases: [...input.releases].sort(byNode) }).map((f) => `${f.path}\n${f.text}`).join('\0');
const byNode = (a: Release, b: Release): number => {
  const x = `${a.version}+${a.arch ?? ''}`;
  const y = `${b.version}+${b.arch ?? ''}`;
  return x < y ? -1 : x > y ? 1 : 0;
};

async function unpack(bytes: Uint8Array, source: string): Promise<TarFile[]> {
  let tar: Buffer;
  try {
    tar = gunzipSync(bytes, { maxOutputLength: MAX_BUNDLE_TAR_BYTES });
  } catch (err) {
    throw new KusError('KUS_ERR_BUNDLE', `${quote(source)} is not a gzip'd KUS bundle, or it is truncated: ${(err as Error).message}`, { source }, { cause: err });
  }
  try {
    return (await readTar(tar, source)).files;
  } catch (err) {
    if (isKusError(err)) throw new KusError('KUS_ERR_BUNDLE', err.message, { source }, { cause: err });
    throw err;
  }
}

export async function importBundle(store: Store, bytes: Uint8Array, options: { actor: Actor; source: string; now?: Date }): Promise<WriteResult<BundleImportReport>> {
  const { actor, source } = options;
  const now = options.now ?? new Date();
  const what = { action: 'bundle.import', target: source, request: { source } };
  let prepared;
  try {
    prepared = await prepareImport(store, bytes, source, now);
  } catch (err) {
    // Refusals found before the write (a tampered bundle, an untrusted signer) are audited like refused writes.
    if (isKusError(err)) recordRefusal(store, actor, what, err);
    throw err;
  }
  const { manifest, signedBy, input, signatures } = prepared;
  return auditedWrite(store, actor, what, () => {
    const graphReplaced = canonical(store.loadGraphInput()) !== canonical(input);
    if (graphReplaced) store.replaceAll(input);
    let added = 0;
    for (const s of signatures) if (store.signatures.append(s).added) added++;
    const report: BundleImportReport = {
      source, createdAt: manifest.createdAt, creator: manifest.creator, signedBy,
      releases: input.releases.length, channels: input.graphData.channels.length, signatures: { read: signatures.length, added }, graphReplaced,
    };
    return { value: report, warnings: prepared.warnings, changed: graphReplaced || added > 0, before: null, after: { source, createdAt: manifest.createdAt, signedBy, graphReplaced, signaturesAdded: added } };
  });
}

/** Every check, before the transaction: archive, checksums, manifest signature, graph-data, trial build, signatures. */
async function prepareImport(store: Store, bytes: Uint8Array, source: string, now: Date) {
  const { manifest, manifestBytes, signature, files } = checkBundle(await unpack(bytes, source), source);
  const trusted = store.signingKeys.list().map((k) => ({ name: k.name, fingerprint: k.fingerprint, publicKey: k.publicKey }));
  const verdict = await verifyDetached(manifestBytes, signature, trusted, now);
  if (!verdict.valid) {
    throw new KusError('KUS_ERR_INVALID_SIGNATURE', `the manifest signature of ${quote(source)} is not valid: ${verdict.reason}; nothing was imported`, { source });
  }
  const prefix = `${BUNDLE_GRAPH_DATA}/`;
  const tree = {
    files: files.filter((x) => x.path.startsWith(prefix)).map((f) => ({ path: f.path.slice(prefix.length), bytes: f.bytes })),
    directories: GRAPH_DATA_DIRS,
    source,
  };
  const refuse = (errors: Problem[]): KusError =>
    new KusError('KUS_ERR_BUNDLE', `the graph-data in ${quote(source)} does not read (${errors.length} errors); nothing was imported\n${formatProblems(errors)}`, { source });
  return withUnpackedGraphData(tree, refuse, async ({ signatures, read, input }) => {
    trialBuild(input, source);
    const sigs = await readSignaturesForImport(store, signatures, now);
    return {
      manifest, signedBy: verdict.key, input, signatures: sigs?.signatures ?? [],
      warnings: [...read.problems.map((p) => `${p.file}: ${p.reason}`), ...(sigs?.warnings ?? []).map((w) => `${w.file}: ${w.reason}`)],
    };
  });
}
