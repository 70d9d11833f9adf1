// Signature trees: graph-data's `signatures/sha256/<hex>/signature-N` (on disk, or in an archive's files) and the
// cluster's `sha256=<hex>/signature-N`.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { KusError, quote } from '../errors/index.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { DIGEST_ALGORITHM, digestFromHex, digestHex, isDigestHex, signatureFileName, signatureIndex, storeSegment } from './digest.js';

/** Where graph-data keeps signatures (upstream's metadata-helper serves this folder), and public keys beside them. */
export const SIGNATURES_DIR = 'signatures';
export const KEYS_DIR = 'keys';

/** Signatures are small (the cluster means to read at most 50 KiB); anything bigger is not a signature. */
export const MAX_SIGNATURE_BYTES = 50 * 1024;

export interface SignatureFile {
  digest: string;
  index: number;
  bytes: Uint8Array;
  /** Path relative to the tree, for messages. */
  file: string;
}

export interface TreeProblem {
  file: string;
  reason: string;
}

export type TreeLayout = 'graph-data' | 'cvo';

/**
 * Where a signatures tree is read from: a directory on disk (kus import), or the files of an archive held in memory (a
 * replica's sync, a bundle import: services/unpacked-graph-data.ts). Paths are relative to the tree's top,
 * `/`-separated; '' is the top.
 */
export interface SignatureTreeSource {
  /** For messages: the directory, or the archive's folder as `<source>/signatures`. */
  readonly where: string;
  exists(): boolean;
  /** The names in a folder, sorted. */
  entries(rel: string): string[];
  isDir(rel: string): boolean;
  read(rel: string): Uint8Array;
}

export function signatureDirectory(dir: string): SignatureTreeSource {
  const at = (rel: string): string => path.join(dir, rel);
  return {
    where: dir,
    exists: () => existsSync(dir) && statSync(dir).isDirectory(),
    entries: (rel) => readdirSync(at(rel)).sort(),
    isDir: (rel) => statSync(at(rel)).isDirectory(),
    read: (rel) => readFileSync(at(rel)),
  };
}

const join = (a: string, b: string): string => (a === '' ? b : `${a}/${b}`);

/**
 * Reads `<tree>/sha256/<hex>/signature-N` (graph-data layout). Names that cannot be signatures are reported, not read;
 * `keys/` and plain files at the top (README.md) are not signatures and are skipped silently.
 */
export function readSignatureTree(from: string | SignatureTreeSource): { files: SignatureFile[]; problems: TreeProblem[] } {
  const tree = typeof from === 'string' ? signatureDirectory(from) : from;
  const files: SignatureFile[] = [];
  const problems: TreeProblem[] = [];
  try {
    for (const algo of tree.entries('')) {
      if (algo === KEYS_DIR || algo.startsWith('.') || !tree.isDir(algo)) continue;
      if (algo !== DIGEST_ALGORITHM) {
        problems.push({ file: algo, reason: `only ${DIGEST_ALGORITHM} digests are signed and served; this folder is ignored` });
        continue;
      }
      for (const hex of tree.entries(algo)) {
        const rel = join(algo, hex);
        if (hex.startsWith('.')) continue;
        if (!isDigestHex(hex) || !tree.isDir(rel)) {
          problems.push({ file: rel, reason: 'is not a folder named by 64 lowercase hex digits of a digest; ignored' });
          continue;
        }
        const found: SignatureFile[] = [];
        for (const name of tree.entries(rel)) {
          if (name.startsWith('.')) continue;
          const index = signatureIndex(name);
          const file = join(rel, name);
          if (index === null) {
            problems.push({ file, reason: 'is not named signature-<N> (N from 1, no leading zero); ignored' });
            continue;
          }
          const bytes = tree.read(file);
          if (bytes.length > MAX_SIGNATURE_BYTES) {
            problems.push({ file, reason: `is ${bytes.length} bytes, larger than the 50 KiB a signature may be; ignored` });
            continue;
          }
          found.push({ digest: digestFromHex(hex), index, bytes, file });
        }
        found.sort((a, b) => a.index - b.index);
        found.forEach((f, i) => {
          if (f.index !== i + 1) problems.push({ file: f.file, reason: `signature-${i + 1} is missing: clusters stop at the first missing index, so it is numbered ${i + 1} when stored` });
        });
        files.push(...found);
      }
    }
  } catch (err) {
    throw new KusError('KUS_ERR_IO', `cannot read signatures under ${quote(tree.where)}: ${(err as Error).message}`, { dir: tree.where }, { cause: err });
  }
  return { files, problems };
}

function digestDir(root: string, digest: string, layout: TreeLayout): string {
  const hex = digestHex(digest);
  if (hex === null) throw new KusError('KUS_ERR_INVALID_DIGEST', `cannot write signatures of ${quote(digest)}: not a sha256 digest`, { digest });
  return layout === 'cvo' ? path.join(root, storeSegment(digest)) : path.join(root, DIGEST_ALGORITHM, hex);
}

/**
 * Writes every signature under `root` in the given layout, each file atomically. Export owns the `signature-N` files
 * of the digest folders it writes: one the store does not hold (a higher N) is removed, so reading the tree back gives
 * what the store holds. Other files and folders are left alone.
 */
export function writeSignatureTree(root: string, signatures: ReadonlyArray<{ digest: string; index: number; bytes: Uint8Array }>, layout: TreeLayout): number {
  const byDir = new Map<string, Map<string, Uint8Array>>();
  for (const s of signatures) {
    const dir = digestDir(root, s.digest, layout);
    const files = byDir.get(dir) ?? new Map<string, Uint8Array>();
    files.set(signatureFileName(s.index), s.bytes);
    byDir.set(dir, files);
  }
  try {
    mkdirSync(root, { recursive: true });
    for (const [dir, files] of byDir) {
      mkdirSync(dir, { recursive: true });
      for (const [name, bytes] of files) writeFileAtomic(path.join(dir, name), bytes);
      for (const name of readdirSync(dir)) {
        if (signatureIndex(name) !== null && !files.has(name)) rmSync(path.join(dir, name));
      }
    }
  } catch (err) {
    if (err instanceof KusError) throw err;
    throw new KusError('KUS_ERR_IO', `cannot write signatures under ${quote(root)}: ${(err as Error).message}`, { dir: root }, { cause: err });
  }
  return signatures.length;
}

/** `<dir>/keys/<name>.asc` for each key (graph-data export and `kus key generate` write them). */
export function writePublicKeyFile(dir: string, name: string, publicKey: string): string {
  const file = path.join(dir, `${name}.asc`);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new KusError('KUS_ERR_IO', `cannot create ${quote(dir)}: ${(err as Error).message}`, { dir }, { cause: err });
  }
  writeFileAtomic(file, publicKey.endsWith('\n') ? publicKey : `${publicKey}\n`);
  return file;
}

export function signatureTreeExists(dir: string): boolean {
  return signatureDirectory(dir).exists();
}
