// Reads one layer blob as it streams (gzip or plain tar), checks its digest, and picks out release-metadata.
import { createHash } from 'node:crypto';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { KusError } from '../errors/index.js';
import { RELEASE_METADATA_PATH } from './release-metadata.js';
import { scanTar, type TarVisitor } from '../tar/index.js';

const notTar = (why: string): KusError => new KusError('KUS_ERR_NOT_A_RELEASE', `layer is not a tar archive: ${why}`);

/** A release-metadata document is a few hundred bytes; anything past this is not one. */
export const METADATA_LIMIT = 1024 * 1024;

const DIR = RELEASE_METADATA_PATH.slice(0, RELEASE_METADATA_PATH.lastIndexOf('/'));
const BASE = RELEASE_METADATA_PATH.slice(DIR.length + 1);
/** OCI/AUFS whiteouts that delete the file (or its directory) from the layers below. */
const WHITEOUTS = new Set([`${DIR}/.wh.${BASE}`, `.wh.${DIR}`, `${DIR}/.wh..wh..opq`]);

export interface LayerScan {
  /** The document's bytes (the last copy in the layer, as extraction would leave it); null when absent. */
  metadata: Buffer | null;
  truncated: boolean;
  /** The layer deletes release-metadata of the layers below it (a whiteout). */
  hidesBelow: boolean;
  /** sha256:… of the bytes read, for the caller to compare with the descriptor. */
  digest: string;
}

/** Gathers at least `n` bytes from the iterator (fewer at the end), for sniffing the compression. */
async function head(it: AsyncIterator<Buffer>, n: number, hash: ReturnType<typeof createHash>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  while (size < n) {
    const r = await it.next();
    if (r.done) break;
    hash.update(r.value);
    chunks.push(r.value);
    size += r.value.length;
  }
  return Buffer.concat(chunks);
}

/** Streams a layer through the tar reader; the whole blob is read so that its digest can be checked. */
export async function scanLayer(blob: AsyncIterable<Buffer>): Promise<LayerScan> {
  const hash = createHash('sha256');
  const found: LayerScan = { metadata: null, truncated: false, hidesBelow: false, digest: '' };
  const visitor: TarVisitor = {
    wants(entry) {
      if (WHITEOUTS.has(entry.path)) found.hidesBelow = true;
      return entry.path === RELEASE_METADATA_PATH && (entry.type === 'file' || entry.type === 'contiguous-file') ? METADATA_LIMIT : 0;
    },
    file(_entry, body, truncated) {
      found.metadata = body;
      found.truncated = truncated;
    },
  };
  const it = blob[Symbol.asyncIterator]();
  const first = await head(it, 4, hash);
  async function* rest(): AsyncGenerator<Buffer> {
    if (first.length > 0) yield first;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      hash.update(r.value);
      yield r.value;
    }
  }
  if (first[0] === 0x28 && first[1] === 0xb5 && first[2] === 0x2f && first[3] === 0xfd) {
    // Node 20 has no zstd; release images built by oc are gzip. Drain so the connection closes cleanly.
    for await (const _chunk of rest());
    throw new KusError('KUS_ERR_NOT_A_RELEASE', 'a zstd-compressed layer, which KUS cannot read (push the release image with gzip layers)');
  }
  const gzip = first[0] === 0x1f && first[1] === 0x8b;
  // Layers come from any image builder, so old v7 headers (no ustar or GNU magic) are read too.
  // pipeline() destroys the gunzip stream with any error of the download, so reading it throws that error; the
  // callback has nothing left to report.
  const tar = gzip ? pipeline(Readable.from(rest()), createGunzip(), () => {}) : rest();
  await scanTar(tar, visitor, { fail: notTar, allowUnknownFormat: true });
  found.digest = `sha256:${hash.digest('hex')}`;
  return found;
}
