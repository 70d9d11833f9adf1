// The GraphExplorer of `kus path/explain/doctor --db`: built on a local store the way `kus serve` builds it.
import { existsSync } from 'node:fs';
import { KusError, quote } from '../errors/index.js';
import { GraphCache } from '../services/graph-cache.js';
import { GraphExplorer, servedGraphsOf } from '../services/graph-explorer.js';
import { Publisher } from '../services/publisher.js';
import { openContext } from './local-store.js';

export interface LocalExplorer {
  explorer: GraphExplorer;
  /** Signature N (from 1) of a digest as the signature store serves it; undefined when there is none. */
  signature(digest: string, index: number): Uint8Array | undefined;
  close(): void;
}

const silent = { info() {}, warn() {}, error() {} };

/** Opens an existing store read-only in spirit (nothing is written) and builds its graph once. */
export function openLocalExplorer(db: string): LocalExplorer {
  if (db !== ':memory:' && !existsSync(db)) {
    throw new KusError('KUS_ERR_NOT_FOUND', `there is no KUS store at ${quote(db)}; pass --db FILE (or KUS_DB), or --server URL to ask a running server`, { file: db });
  }
  const context = openContext({ db });
  const cache = new GraphCache({ load: () => context.store.loadGraphInput(), logger: silent, warmUp: false });
  const built = cache.rebuild();
  if (!built.ok) {
    context.close();
    throw new KusError('KUS_ERR_INTERNAL', `the graph of ${quote(db)} does not build: ${(built.error as Error).message}`, { file: db });
  }
  const publisher = new Publisher({ store: context.store, rebuild: () => undefined });
  return {
    explorer: new GraphExplorer({ served: servedGraphsOf(cache), edges: () => publisher.listEdges() }),
    signature: (digest, index) => context.store.signatures.bytes(digest, index),
    close: () => context.close(),
  };
}
