// A graph-data tree that arrived as archive files (a replica's sync, a bundle import): the graph-data is read strictly
// from the files in memory; only signatures/ is written to a temporary directory, for the signature reader, and
// removed again once the caller has read it. Writing every file out to read it back cost seconds per sync at upstream
// scale (8,000 files).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KusError } from '../errors/index.js';
import { memoryTree, readGraphData, type Problem, type ReadResult, type YamlMemo } from '../graph-data/index.js';
import { SIGNATURES_DIR } from '../signatures/index.js';
import type { GraphInput } from '../store/index.js';

export interface UnpackedGraphData {
  /** The temporary directory: it holds the tree's signatures/ (and nothing else). */
  dir: string;
  read: ReadResult;
  input: GraphInput;
}

const inSignatures = (p: string): boolean => p === SIGNATURES_DIR || p.startsWith(`${SIGNATURES_DIR}/`);

/**
 * Reads the tree of `files` (paths relative to the tree; readTar refused absolute paths and ".." segments) and
 * `directories` strictly, and throws `refuse(errors)` when it has errors. Otherwise writes its signatures/ into a
 * temporary directory and runs fn; the directory is removed whatever happens.
 */
export async function withUnpackedGraphData<T>(
  tree: { files: ReadonlyArray<{ path: string; bytes: Uint8Array }>; directories: readonly string[]; tempPrefix: string; memo?: YamlMemo },
  refuse: (errors: Problem[]) => KusError,
  fn: (unpacked: UnpackedGraphData) => Promise<T>,
): Promise<T> {
  const read = readGraphData(memoryTree(tree.files, tree.directories), { strict: true, ...(tree.memo ? { memo: tree.memo } : {}) });
  const errors = read.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw refuse(errors);
  const dir = mkdtempSync(path.join(os.tmpdir(), tree.tempPrefix));
  try {
    for (const d of tree.directories) if (inSignatures(d)) mkdirSync(path.join(dir, d), { recursive: true });
    for (const f of tree.files) {
      if (!inSignatures(f.path)) continue;
      const target = path.join(dir, f.path);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, f.bytes);
    }
    return await fn({ dir, read, input: { releases: read.releases, graphData: read.data } });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
