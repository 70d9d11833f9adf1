// KUS's own archives (the graph-data tarball, bundles): written by tar-stream with fixed owner, mode and time, so
// equal content gives equal bytes (and a stable ETag); read back strictly, refusing what the writer never makes.
import { extract } from 'tar-stream';
import { KusError, quote } from '../errors/index.js';
import { packTar, type PackEntry } from './pack.js';
import { feed, tarProblem } from './scan.js';

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

/**
 * An uncompressed tar of the files, sorted by path, each preceded by its parent directories (once each), plus
 * `directories` that must exist even when empty (graph-data's blocked-edges/ may hold no file). Paths longer than
 * ustar holds get a pax header (tar-stream's choice), which is deterministic too.
 * Throws KUS_ERR_GRAPH_DATA for a path that is not relative and clean, or given twice.
 */
export async function writeTar(files: readonly TarFile[], directories: readonly string[] = []): Promise<Buffer> {
  type Entry = { path: string; bytes?: Uint8Array };
  const entries: Entry[] = [...files, ...directories.map((d) => ({ path: d }))];
  for (const e of entries) {
    const why = pathProblem(e.path);
    if (why) throw new KusError('KUS_ERR_GRAPH_DATA', `cannot archive ${quote(e.path)}: it ${why}`, { file: e.path });
  }
  const sorted = entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const out: PackEntry[] = [];
  const dirs = new Set<string>();
  const addDir = (dir: string): void => {
    if (dirs.has(dir)) return;
    dirs.add(dir);
    out.push({ name: `${dir}/`, type: 'directory' });
  };
  let previous: string | undefined;
  for (const f of sorted) {
    if (f.path === previous && f.bytes !== undefined) throw new KusError('KUS_ERR_GRAPH_DATA', `cannot archive ${quote(f.path)} twice`, { file: f.path });
    previous = f.path;
    const segments = f.path.split('/');
    for (let i = 1; i < segments.length; i++) addDir(segments.slice(0, i).join('/'));
    if (f.bytes === undefined) addDir(f.path);
    else out.push({ name: f.path, type: 'file', body: f.bytes });
  }
  // packTar's defaults are the fixed owner, modes and time 0: content alone decides the bytes.
  return packTar(out);
}

/**
 * The regular files and the directories of an archive writeTar made. Refuses, with KUS_ERR_GRAPH_DATA naming `source`,
 * anything that writer would not produce: bad checksums, links and other entry types, unclean paths, duplicates,
 * entries over MAX_TAR_ENTRY_BYTES, truncation.
 */
export async function readTar(tar: Uint8Array, source: string): Promise<{ files: TarFile[]; directories: string[] }> {
  const bad = (why: string): KusError => new KusError('KUS_ERR_GRAPH_DATA', `${quote(source)} is not a KUS graph-data archive: ${why}`, { source });
  const buf = Buffer.from(tar.buffer, tar.byteOffset, tar.byteLength);
  // tar-stream accepts an archive cut at an entry boundary; writeTar always ends with two zero blocks.
  if (buf.length < 1024 || buf.subarray(buf.length - 1024).some((b) => b !== 0)) throw bad('it ends before the end-of-archive blocks (truncated?)');
  const files: TarFile[] = [];
  const directories: string[] = [];
  const seen = new Set<string>();
  const x = extract();
  let open: string | undefined;
  let refused: KusError | undefined;
  x.on('entry', (header, body, next) => {
    const name = header.name;
    const refuse = (why: string): void => {
      refused = bad(why);
      body.resume();
      next(refused);
    };
    if (header.type === 'directory') {
      const dir = name.replace(/\/$/, '');
      const why = pathProblem(dir);
      if (header.size) return refuse(`the directory ${quote(name)} has a size`);
      if (why) return refuse(`the entry ${quote(name)} ${why}`);
      directories.push(dir);
      body.resume();
      body.on('end', () => next());
      return;
    }
    if (header.type !== 'file') return refuse(`${quote(name)} is of type ${quote(header.type ?? 'unknown')}; only files and directories are allowed`);
    const why = pathProblem(name);
    if (why) return refuse(`the entry ${quote(name)} ${why}`);
    if (seen.has(name)) return refuse(`${quote(name)} is in it twice`);
    if (header.size > MAX_TAR_ENTRY_BYTES) return refuse(`${quote(name)} is ${header.size} bytes, more than ${MAX_TAR_ENTRY_BYTES}`);
    seen.add(name);
    open = name;
    const chunks: Buffer[] = [];
    body.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
    body.on('end', () => {
      open = undefined;
      files.push({ path: name, bytes: Buffer.concat(chunks) });
      next();
    });
  });
  await feed(x, [buf], (err) => (err === refused ? refused : bad(tarProblem(err, open))));
  return { files, directories };
}
