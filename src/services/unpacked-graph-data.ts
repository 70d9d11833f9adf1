// A graph-data tree that arrived as archive files (a replica's sync, a bundle import), read in place: the graph-data
// strictly from the files in memory, and its signatures/ through a reader of the same files. Writing every file out to
// read it back cost seconds per sync at upstream scale (8,000 files; a signed snapshot a folder and a file more per
// release).
import type { KusError } from '../errors/index.js';
import { memoryTree, readGraphData, type GraphDataTree, type Problem, type ReadResult, type YamlMemo } from '../graph-data/index.js';
import { SIGNATURES_DIR, type SignatureTreeSource } from '../signatures/index.js';
import type { GraphInput } from '../store/index.js';

export interface UnpackedGraphData {
  /** The tree's signatures/ (and keys/ in it). */
  signatures: SignatureTreeSource;
  read: ReadResult;
  input: GraphInput;
}

/**
 * Reads the tree of `files` (paths relative to the tree; readTar refused absolute paths and ".." segments) and
 * `directories` strictly, and throws `refuse(errors)` when it has errors. Otherwise runs fn with what it read.
 * `source` names the archive in messages about its signatures.
 */
export async function withUnpackedGraphData<T>(
  tree: { files: ReadonlyArray<{ path: string; bytes: Uint8Array }>; directories: readonly string[]; source: string; memo?: YamlMemo },
  refuse: (errors: Problem[]) => KusError,
  fn: (unpacked: UnpackedGraphData) => Promise<T>,
): Promise<T> {
  const files = memoryTree(tree.files, tree.directories);
  const read = readGraphData(files, { strict: true, ...(tree.memo ? { memo: tree.memo } : {}) });
  const errors = read.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw refuse(errors);
  return await fn({ signatures: signaturesIn(files, `${tree.source}/${SIGNATURES_DIR}`), read, input: { releases: read.releases, graphData: read.data } });
}

/** A graph-data tree's signatures/ as the signature reader reads it; `where` names it in messages. */
export function signaturesIn(tree: GraphDataTree, where: string): SignatureTreeSource {
  const at = (rel: string): string => (rel === '' ? SIGNATURES_DIR : `${SIGNATURES_DIR}/${rel}`);
  return {
    where,
    exists: () => tree.isDirectory(SIGNATURES_DIR),
    entries: (rel) => tree.list(at(rel)).sort(),
    isDir: (rel) => tree.isDirectory(at(rel)),
    read: (rel) => tree.readBytes(at(rel)),
  };
}
