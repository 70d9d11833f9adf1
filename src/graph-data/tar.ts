// A deterministic ustar writer and a strict reader for KUS's own archives (the graph-data tarball, bundles): regular
// files and directories only, fixed owner, mode and time, so equal content gives equal bytes (and a stable ETag).
import { KusError, quote } from '../errors/index.js';

const BLOCK = 512;
const NAME_MAX = 100;
const PREFIX_MAX = 155;
/** Anything bigger is not a graph-data tree; refusing it early bounds what a follower holds in memory. */
export const MAX_TAR_ENTRY_BYTES = 64 * 1024 * 1024;

export interface TarFile {
  /** Relative, `/`-separated, without `.` or `..` segments. */
  path: string;
  bytes: Uint8Array;
}

function pathProblem(p: string): string | null {
  if (p === '' || p.startsWith('/') || p.endsWith('/') || p.includes('\\') || p.includes('\0')) return 'is not a relative path';
  if (p.split('/').some((s) => s === '' || s === '.' || s === '..')) return 'has an empty, "." or ".." segment';
  return null;
}

/** ustar keeps up to 100 bytes of name plus a 155-byte prefix, split at a "/". */
function splitName(p: string): { name: string; prefix: string } {
  if (Buffer.byteLength(p) <= NAME_MAX) return { name: p, prefix: '' };
  for (let i = p.indexOf('/'); i >= 0; i = p.indexOf('/', i + 1)) {
    const prefix = p.slice(0, i);
    const name = p.slice(i + 1);
    if (Buffer.byteLength(prefix) <= PREFIX_MAX && Buffer.byteLength(name) <= NAME_MAX) return { name, prefix };
  }
  throw new KusError('KUS_ERR_GRAPH_DATA', `cannot archive ${quote(p)}: the path is too long for a ustar archive`, { file: p });
}

function octal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length, 'ascii');
}

function header(p: string, size: number, type: '0' | '5'): Buffer {
  const block = Buffer.alloc(BLOCK);
  const { name, prefix } = splitName(p);
  block.write(name, 0, NAME_MAX, 'utf8');
  octal(block, 100, 8, type === '5' ? 0o755 : 0o644);
  octal(block, 108, 8, 0); // uid
  octal(block, 116, 8, 0); // gid
  octal(block, 124, 12, size);
  octal(block, 136, 12, 0); // mtime: content alone decides the bytes
  block.write('        ', 148, 8, 'ascii');
  block.write(type, 156, 1, 'ascii');
  block.write('ustar\0', 257, 6, 'ascii');
  block.write('00', 263, 2, 'ascii');
  block.write(prefix, 345, PREFIX_MAX, 'utf8');
  let sum = 0;
  for (const b of block) sum += b;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return block;
}

/**
 * An uncompressed ustar archive of the files, sorted by path, each preceded by its parent directories (once each),
 * plus `directories` that must exist even when empty (graph-data's blocked-edges/ may hold no file).
 * Throws KUS_ERR_GRAPH_DATA for a path that is not relative and clean, or given twice.
 */
export function writeTar(files: readonly TarFile[], directories: readonly string[] = []): Buffer {
  type Entry = { path: string; bytes?: Uint8Array };
  const entries: Entry[] = [...files, ...directories.map((d) => ({ path: d }))];
  for (const e of entries) {
    const why = pathProblem(e.path);
    if (why) throw new KusError('KUS_ERR_GRAPH_DATA', `cannot archive ${quote(e.path)}: it ${why}`, { file: e.path });
  }
  const sorted = entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const parts: Buffer[] = [];
  const dirs = new Set<string>();
  let previous: string | undefined;
  const addDir = (dir: string): void => {
    if (dirs.has(dir)) return;
    dirs.add(dir);
    parts.push(header(`${dir}/`, 0, '5'));
  };
  for (const f of sorted) {
    if (f.path === previous && f.bytes !== undefined) throw new KusError('KUS_ERR_GRAPH_DATA', `cannot archive ${quote(f.path)} twice`, { file: f.path });
    previous = f.path;
    const segments = f.path.split('/');
    for (let i = 1; i < segments.length; i++) addDir(segments.slice(0, i).join('/'));
    if (f.bytes === undefined) {
      addDir(f.path);
      continue;
    }
    const body = Buffer.from(f.bytes);
    parts.push(header(f.path, body.length, '0'), body, Buffer.alloc((BLOCK - (body.length % BLOCK)) % BLOCK));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

function field(block: Buffer, offset: number, length: number): string {
  const raw = block.subarray(offset, offset + length);
  const nul = raw.indexOf(0);
  return raw.subarray(0, nul < 0 ? length : nul).toString('utf8');
}

/**
 * The regular files and the directories of a ustar archive. Refuses, with KUS_ERR_GRAPH_DATA naming `source`,
 * anything this writer would not produce: bad checksums, links and other entry types, unclean paths, duplicates,
 * truncation.
 */
export function readTar(tar: Uint8Array, source: string): { files: TarFile[]; directories: string[] } {
  const buf = Buffer.from(tar.buffer, tar.byteOffset, tar.byteLength);
  const bad = (why: string): KusError => new KusError('KUS_ERR_GRAPH_DATA', `${quote(source)} is not a KUS graph-data archive: ${why}`, { source });
  const files: TarFile[] = [];
  const directories: string[] = [];
  const seen = new Set<string>();
  let offset = 0;
  for (;;) {
    if (offset + BLOCK > buf.length) throw bad('it ends before the end-of-archive blocks (truncated?)');
    const block = buf.subarray(offset, offset + BLOCK);
    if (block.every((b) => b === 0)) return { files, directories };
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
    const stored = field(block, 148, 8).trim();
    if (!/^[0-7]+$/.test(stored) || parseInt(stored, 8) !== sum) throw bad(`a header checksum does not match at byte ${offset}`);
    if (field(block, 257, 6) !== 'ustar') throw bad(`the entry at byte ${offset} is not ustar`);
    const prefix = field(block, 345, PREFIX_MAX);
    const name = field(block, 0, NAME_MAX);
    const entryPath = prefix === '' ? name : `${prefix}/${name}`;
    const sizeText = field(block, 124, 12).trim();
    if (!/^[0-7]+$/.test(sizeText)) throw bad(`the size of ${quote(entryPath)} is not a number`);
    const size = parseInt(sizeText, 8);
    const type = String.fromCharCode(block[156]!);
    offset += BLOCK;
    if (type === '5') {
      const dir = entryPath.replace(/\/$/, '');
      if (size !== 0) throw bad(`the directory ${quote(entryPath)} has a size`);
      const why = pathProblem(dir);
      if (why) throw bad(`the entry ${quote(entryPath)} ${why}`);
      directories.push(dir);
      continue;
    }
    if (type !== '0' && block[156] !== 0) throw bad(`${quote(entryPath)} is of type ${quote(type)}; only files and directories are allowed`);
    const why = pathProblem(entryPath);
    if (why) throw bad(`the entry ${quote(entryPath)} ${why}`);
    if (seen.has(entryPath)) throw bad(`${quote(entryPath)} is in it twice`);
    seen.add(entryPath);
    if (size > MAX_TAR_ENTRY_BYTES) throw bad(`${quote(entryPath)} is ${size} bytes, more than ${MAX_TAR_ENTRY_BYTES}`);
    if (offset + size > buf.length) throw bad(`it ends inside ${quote(entryPath)} (truncated?)`);
    files.push({ path: entryPath, bytes: Buffer.from(buf.subarray(offset, offset + size)) });
    offset += size + ((BLOCK - (size % BLOCK)) % BLOCK);
  }
}
