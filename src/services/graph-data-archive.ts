// The graph-data tarball (GET /api/upgrades_info/graph-data): what `kus export` writes, as one gzip'd ustar archive
// with a strong ETag, built once per graph generation (and signature set), not per request.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { GRAPH_DATA_DIRS, graphDataFiles, type YamlTextMemo } from '../graph-data/index.js';
import { digestHex, DIGEST_ALGORITHM, KEYS_DIR, signatureFileName, SIGNATURES_DIR } from '../signatures/index.js';
import type { GraphInput, Store } from '../store/index.js';
import { writeTar, type TarFile } from '../tar/index.js';

/** One built archive. */
export interface GraphDataArchiveSnapshot {
  /** gzip of the ustar archive. */
  readonly gzip: Buffer;
  /** Strong, quoted: a hash of the bytes. */
  readonly etag: string;
  readonly builtAt: Date;
  /** Files in the archive (directories aside). */
  readonly files: number;
}

export interface GraphDataArchiveDeps {
  store: Store;
  /**
   * The served graph's generation (GraphCache.snapshot): a new value means the graph was rebuilt, so the archive is
   * rebuilt at the next request. Signatures and keys are added without a rebuild, so they are part of the key too.
   */
  generation: () => unknown;
  now?: () => Date;
  /** Builds the archive of what the store holds somewhere else (kus serve: the build worker). Default: on this thread. */
  build?: () => Promise<{ gzip: Buffer; files: number }>;
  /** Subscribes to generation swaps (GraphCache.onSwap), which a long poll waits for; returns the unsubscribe. */
  onSwap?: (listener: () => void) => () => void;
}

/**
 * Builds on the calling thread (the CLI, tests, and what the build worker itself runs, with its memo and the graph
 * input it holds, which is what the store holds: see graphDataArchiveFiles).
 */
export async function buildHere(store: Store, memo?: YamlTextMemo, input?: GraphInput): Promise<{ gzip: Buffer; files: number }> {
  memo?.startWrite();
  const files = graphDataArchiveFiles(store, memo, input);
  return { gzip: await buildGraphDataArchive(files), files: files.length };
}

/**
 * The files `kus export` writes for what the store holds: graph-data (+ releases/), signatures/sha256/<hex>/signature-N
 * and signatures/keys/NAME.asc, with the same bytes (tests compare them with an export directory). `input` is the
 * store's graph input when the caller holds it already.
 */
export function graphDataArchiveFiles(store: Store, memo?: YamlTextMemo, input: GraphInput = store.loadGraphInput()): TarFile[] {
  const { releases, graphData } = input;
  const files: TarFile[] = graphDataFiles({ data: graphData, releases }, memo).map((f) => ({ path: f.path, bytes: Buffer.from(f.text, 'utf8') }));
  for (const s of store.signatures.list()) {
    files.push({ path: `${SIGNATURES_DIR}/${DIGEST_ALGORITHM}/${digestHex(s.digest)}/${signatureFileName(s.index)}`, bytes: s.bytes });
  }
  for (const k of store.signingKeys.list()) {
    const text = k.publicKey.endsWith('\n') ? k.publicKey : `${k.publicKey}\n`;
    files.push({ path: `${SIGNATURES_DIR}/${KEYS_DIR}/${k.name}.asc`, bytes: Buffer.from(text, 'utf8') });
  }
  return files;
}

/**
 * The gzip'd archive of those files and graph-data's folders (present even when empty, as `kus export` makes them):
 * deterministic (fixed tar headers, gzip without a time stamp). zlib's default level, not its best: a primary makes
 * the archive again after each write, and at upstream scale level 9 took 570–600 ms of it with a signature per
 * release (150 ms at level 6, for 3.73 MB instead of 3.63) and 220 ms without (41 ms, 469 KB instead of 434).
 */
export async function buildGraphDataArchive(files: readonly TarFile[]): Promise<Buffer> {
  return gzipSync(await writeTar(files, GRAPH_DATA_DIRS), { level: 6 });
}

export class GraphDataArchive {
  private readonly store: Store;
  private readonly generation: () => unknown;
  private readonly now: () => Date;
  private readonly build: () => Promise<{ gzip: Buffer; files: number }>;
  private readonly onSwap: ((listener: () => void) => () => void) | undefined;
  private built: { generation: unknown; content: string; snapshot: GraphDataArchiveSnapshot } | undefined;
  private building: { generation: unknown; content: string; snapshot: Promise<GraphDataArchiveSnapshot> } | undefined;
  private builds = 0;

  constructor(deps: GraphDataArchiveDeps) {
    this.store = deps.store;
    this.generation = deps.generation;
    this.now = deps.now ?? (() => new Date());
    this.build = deps.build ?? (() => buildHere(deps.store));
    this.onSwap = deps.onSwap;
  }

  /**
   * A long poll (`Prefer: wait=N`): the current archive once its ETag is no longer one `unchanged` accepts, or when
   * `waitMs` passed or `signal` aborted (the client left, the server stops), whichever comes first. Wakes at each
   * generation swap to compare; signatures added meanwhile show at the latest when the wait ends.
   */
  async changed(unchanged: (etag: string) => boolean, waitMs: number, signal: AbortSignal): Promise<GraphDataArchiveSnapshot | undefined> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const archive = await this.current();
      const left = deadline - Date.now();
      if (!archive || !unchanged(archive.etag) || left <= 0 || signal.aborted || !this.onSwap) return archive;
      const subscribe = this.onSwap;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          off();
          signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, left);
        const off = subscribe(done);
        signal.addEventListener('abort', done, { once: true });
      });
    }
  }

  /**
   * The archive of the current generation, built now if the graph, the signatures or the keys changed since;
   * undefined while no graph was built (a follower must not copy a server that serves nothing yet). Requests that
   * arrive while it is being built share that build.
   */
  async current(): Promise<GraphDataArchiveSnapshot | undefined> {
    const generation = this.generation();
    if (generation === undefined) return undefined;
    const content = this.contentKey();
    const same = (b: { generation: unknown; content: string } | undefined): boolean => b !== undefined && b.generation === generation && b.content === content;
    if (same(this.built)) return this.built!.snapshot;
    if (same(this.building)) return this.building!.snapshot;
    const snapshot = this.build().then(({ gzip, files }): GraphDataArchiveSnapshot => {
      const etag = `"${createHash('sha256').update(gzip).digest('base64url').slice(0, 32)}"`;
      return { gzip, etag, builtAt: this.now(), files };
    });
    const building = { generation, content, snapshot };
    this.building = building;
    try {
      const built = await snapshot;
      if (this.building === building) this.built = { generation, content, snapshot: built };
      this.builds++;
      return built;
    } finally {
      if (this.building === building) this.building = undefined;
    }
  }

  /** How many archives were built (each generation once). */
  get buildCount(): number {
    return this.builds;
  }

  /** Signatures are only ever appended on a writer, and a follower's swap is a new generation, so the count suffices. */
  private contentKey(): string {
    const keys = this.store.signingKeys.list().map((k) => `${k.name}:${k.fingerprint}`).join(',');
    return `${this.store.signatures.count()}|${keys}`;
  }
}
