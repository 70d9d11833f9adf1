// A graph-data tree that arrived as archive files (a replica's sync, a bundle import): written to a temporary
// directory, read strictly as graph-data, and removed again once the caller has read what else it needs from it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KusError } from '../errors/index.js';
import { readGraphData, type Problem, type ReadResult } from '../graph-data/index.js';
import type { GraphInput } from '../store/index.js';

export interface UnpackedGraphData {
  /** The temporary directory: signatures/ and other parts beside the graph-data are read from here. */
  dir: string;
  read: ReadResult;
  input: GraphInput;
}

/**
 * Writes `files` (paths relative to the tree; readTar refused absolute paths and ".." segments, so everything lands
 * inside the directory) and `directories`, reads the tree strictly, and throws `refuse(errors)` when it has errors.
 * Otherwise runs fn; the directory is removed whatever happens.
 */
export async function withUnpackedGraphData<T>(
  tree: { files: ReadonlyArray<{ path: string; bytes: Uint8Array }>; directories: readonly string[]; tempPrefix: string },
  refuse: (errors: Problem[]) => KusError,
  fn: (unpacked: UnpackedGraphData) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(path.join(os.tmpdir(), tree.tempPrefix));
  try {
    for (const d of tree.directories) mkdirSync(path.join(dir, d), { recursive: true });
    for (const f of tree.files) {
      const target = path.join(dir, f.path);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, f.bytes);
    }
    const read = readGraphData(dir, { strict: true });
    const errors = read.problems.filter((p) => p.severity === 'error');
    if (errors.length > 0) throw refuse(errors);
    return await fn({ dir, read, input: { releases: read.releases, graphData: read.data } });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
