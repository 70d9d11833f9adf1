// Signature trees on disk: read (and check) graph-data's signatures/ for import, write it and the CVO layout for export.
import path from 'node:path';
import { KusError, quote } from '../errors/index.js';
import {
  KEYS_DIR, KeyRing, readSignatureTree, signatureDirectory, SIGNATURES_DIR, signatureTreeExists, writePublicKeyFile, writeSignatureTree,
  type SignatureTreeSource,
} from '../signatures/index.js';
import type { NewSignature, Store } from '../store/index.js';
import type { SignatureCheckMemo } from './signature-check-memo.js';

export interface SignatureImport {
  /** In file order per digest; appended after what the store holds (identical bytes are not stored twice). */
  signatures: NewSignature[];
  warnings: Array<{ file: string; reason: string }>;
  dir: string;
}

/** `<graph-data>/signatures`, where graph-data (and upstream's metadata-helper) keeps signatures. */
export const signaturesDirOf = (graphDataDir: string): string => path.join(graphDataDir, SIGNATURES_DIR);

/**
 * Reads and checks a signatures tree (`sha256/<hex>/signature-N`). Every file must be a binary OpenPGP signed message
 * whose claim names its folder's digest; one by a stored key must verify. A signature by a key KUS does not hold is
 * kept (the cluster may trust that key) with a warning. Any other problem refuses the whole import. `keys` are the
 * keys to verify with (default: the store's; a replica passes its primary's, and a memo of its last sync's checks).
 * `from` is a directory, or an archive's signatures/ read in place. Returns undefined when it does not exist.
 */
export async function readSignaturesForImport(
  store: Store, from: string | SignatureTreeSource, now: Date, keys: ReadonlyArray<{ name: string; fingerprint: string; publicKey: string }> = store.signingKeys.list(),
  memo?: SignatureCheckMemo,
): Promise<SignatureImport | undefined> {
  const source = typeof from === 'string' ? signatureDirectory(from) : from;
  const dir = source.where;
  if (!source.exists()) return undefined;
  const tree = readSignatureTree(source);
  const warnings = tree.problems.map((p) => ({ file: `${SIGNATURES_DIR}/${p.file}`, reason: p.reason }));
  const trusted = keys.map((k) => ({ name: k.name, fingerprint: k.fingerprint, publicKey: k.publicKey }));
  const ring = await KeyRing.load(trusted);
  memo?.begin(trusted);
  const signatures: NewSignature[] = [];
  const errors: string[] = [];
  for (const f of tree.files) {
    const file = `${SIGNATURES_DIR}/${f.file}`;
    const v = memo ? await memo.verify(ring, f.bytes, f.digest, now) : await ring.verify(f.bytes, f.digest, now);
    if (v.valid) {
      signatures.push({ digest: f.digest, bytes: f.bytes, keyFingerprint: v.fingerprint, source: 'imported' });
    } else if (v.untrusted) {
      warnings.push({ file, reason: `signed by key ID ${v.untrusted.join(', ')}, which is not a stored key: served as it is, but not counted as signed (import the key with kus key import to check it)` });
      signatures.push({ digest: f.digest, bytes: f.bytes, keyFingerprint: null, source: 'imported' });
    } else {
      errors.push(`${file}: ${v.reason}`);
    }
  }
  memo?.end();
  if (errors.length > 0) {
    throw new KusError('KUS_ERR_INVALID_SIGNATURE', `refusing to import signatures from ${quote(dir)}: ${errors.length} invalid\n${errors.map((e) => `  ${e}`).join('\n')}`,
      { dir, problems: errors });
  }
  return { signatures, warnings, dir };
}

/** Stores what was read, inside the caller's transaction; returns how many were new. */
export function storeImportedSignatures(store: Store, prepared: SignatureImport): number {
  let added = 0;
  for (const s of prepared.signatures) if (store.signatures.append(s).added) added++;
  return added;
}

/** Writes the store's signatures as graph-data `signatures/sha256/<hex>/signature-N`, and each key as `signatures/keys/NAME.asc`. */
export function exportSignatures(store: Store, graphDataDir: string): { signatures: number; keys: number } {
  const dir = signaturesDirOf(graphDataDir);
  const signatures = store.signatures.list();
  const keys = store.signingKeys.list();
  if (signatures.length > 0) writeSignatureTree(dir, signatures, 'graph-data');
  for (const k of keys) writePublicKeyFile(path.join(dir, KEYS_DIR), k.name, k.publicKey);
  return { signatures: signatures.length, keys: keys.length };
}

/** Writes the store's signatures in the cluster's file:// store layout, `DIR/sha256=<hex>/signature-N`. */
export function exportCvoStore(store: Store, dir: string): number {
  return writeSignatureTree(dir, store.signatures.list(), 'cvo');
}

/**
 * Where `kus serve` seeds signatures from: `<graph-data>/signatures` (the graph-data layout), else the `signatures/`
 * folder beside the graph-data folder (how the KUS repository keeps them); undefined when neither exists.
 */
export function seedSignaturesDir(graphDataDir: string): string | undefined {
  const inside = signaturesDirOf(graphDataDir);
  if (signatureTreeExists(inside)) return inside;
  const beside = path.join(path.dirname(path.resolve(graphDataDir)), SIGNATURES_DIR);
  return signatureTreeExists(beside) ? beside : undefined;
}
