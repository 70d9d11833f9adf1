// A graph-data tree that arrived as archive files (a replica's sync, a bundle import), read in place: the graph-data
// strictly from the files in memory, and its signatures/ through a reader of the same files. Writing every file out to
// read it back cost seconds per sync at upstream scale (8,000 files; a signed snapshot a folder and a file more per
// release).
import type { KusError } from '../errors/index.js';
import { memoryTree, readGraphData, type Problem, type ReadResult, type YamlMemo } from '../graph-data/index.js';
import { signatureFiles, SIGNATURES_DIR, type SignatureTreeSource } from '../signatures/index.js';
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
  const read = readGraphData(memoryTree(tree.files, tree.directories), { strict: true, ...(tree.memo ? { memo: tree.memo } : {}) });
  const errors = read.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw refuse(errors);
  const signatures = signatureFiles(tree.files, tree.directories, SIGNATURES_DIR, `${tree.source}/${SIGNATURES_DIR}`);
  return await fn({ signatures, read, input: { releases: read.releases, graphData: read.data } });
}
