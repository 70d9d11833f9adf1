// Where a graph-data tree is read from: a directory (kus import, kus serve --graph-data), or the files of an archive
// held in memory (a replica's sync, a bundle import). Reading an archive in place spares writing thousands of files
// to a temporary directory only to read them back: at upstream scale (8,000 files) that was seconds of each sync.
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';

export interface GraphDataTree {
  /** The UTF-8 text of a file (path relative to the tree, `/`-separated); a missing one throws with code ENOENT. */
  readText(rel: string): string;
  /** The bytes of a file, as readText finds it (signatures are binary). */
  readBytes(rel: string): Uint8Array;
  /** The names in a directory, unsorted; throws with code ENOENT or ENOTDIR as readdir does. */
  list(rel: string): string[];
  /** True for a regular file (through symbolic links, on disk). */
  isFile(rel: string): boolean;
  /** True for a directory (through symbolic links, on disk). */
  isDirectory(rel: string): boolean;
}

/** Thrown instead of reading; the message never includes the target's path or content. */
export class OutsideTreeError extends Error {
  constructor() {
    super('it is a symbolic link that leads outside the graph-data directory, so it is not read');
    this.name = 'OutsideTreeError';
  }
}

/**
 * A directory on disk. A file that a symbolic link leads out of the directory is refused: a tree from elsewhere must
 * not make KUS read (and echo in an error) /etc/passwd or a key file.
 */
export function directoryTree(root: string): GraphDataTree {
  const inTree = (rel: string): string => {
    const real = realpathSync(path.join(root, rel));
    const inside = path.relative(realpathSync(root), real);
    if (inside === '' || inside === '..' || inside.startsWith(`..${path.sep}`) || path.isAbsolute(inside)) throw new OutsideTreeError();
    return real;
  };
  const stat = (rel: string): ReturnType<typeof statSync> | undefined => {
    try {
      return statSync(path.join(root, rel));
    } catch {
      // Missing, or a dangling symlink: nothing we can read.
      return undefined;
    }
  };
  return {
    readText: (rel) => readFileSync(inTree(rel), 'utf8'),
    readBytes: (rel) => readFileSync(inTree(rel)),
    list: (rel) => readdirSync(path.join(root, rel)),
    isFile: (rel) => stat(rel)?.isFile() ?? false,
    isDirectory: (rel) => stat(rel)?.isDirectory() ?? false,
  };
}

function errnoError(code: 'ENOENT' | 'ENOTDIR', rel: string): NodeJS.ErrnoException {
  const what = code === 'ENOENT' ? 'no such file or directory' : 'not a directory';
  return Object.assign(new Error(`${code}: ${what}, '${rel}'`), { code });
}

/**
 * Files held in memory, with clean relative paths (readTar refuses absolute paths and "." or ".." segments).
 * `directories` are those that exist even when empty; every file's parents exist too.
 */
export function memoryTree(files: ReadonlyArray<{ path: string; bytes: Uint8Array }>, directories: readonly string[]): GraphDataTree {
  const texts = new Map<string, Uint8Array>();
  const children = new Map<string, Set<string>>([['', new Set()]]);
  const addDir = (dir: string): void => {
    if (children.has(dir)) return;
    const slash = dir.lastIndexOf('/');
    const parent = slash < 0 ? '' : dir.slice(0, slash);
    addDir(parent);
    children.get(parent)!.add(dir.slice(slash + 1));
    children.set(dir, new Set());
  };
  for (const d of directories) addDir(d);
  for (const f of files) {
    const slash = f.path.lastIndexOf('/');
    const parent = slash < 0 ? '' : f.path.slice(0, slash);
    addDir(parent);
    children.get(parent)!.add(f.path.slice(slash + 1));
    texts.set(f.path, f.bytes);
  }
  const readBytes = (rel: string): Uint8Array => {
    const bytes = texts.get(rel);
    if (bytes === undefined) throw errnoError('ENOENT', rel);
    return bytes;
  };
  return {
    readText(rel) {
      const bytes = readBytes(rel);
      // As readFileSync(file, 'utf8') reads it: a byte-order mark kept, bad sequences replaced.
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    },
    readBytes,
    list(rel) {
      const names = children.get(rel);
      if (names === undefined) throw errnoError(texts.has(rel) ? 'ENOTDIR' : 'ENOENT', rel);
      return [...names];
    },
    isFile: (rel) => texts.has(rel) && !children.has(rel),
    isDirectory: (rel) => children.has(rel),
  };
}
