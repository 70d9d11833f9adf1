// Lists the files of a graph-data sub-directory the way upstream selects them (graph-semantics §6.1), sorted by name.
import type { ProblemList } from './problem.js';
import type { GraphDataTree } from './tree.js';

/** Upstream reads a file when its extension (text after the last ".") contains `ya+ml`: `.yaml`, not `.yml`. */
export function isYamlFileName(name: string): boolean {
  const ext = extensionOf(name);
  return ext !== null && /ya+ml/.test(ext);
}

/** Like Rust's Path::extension: none for a name without "." or with only a leading ".". */
export function extensionOf(name: string): string | null {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? null : name.slice(dot + 1);
}

/** Byte order of the UTF-8 names: the order KUS processes graph-data files in (graph-semantics §6.1). */
export function compareFileNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Files that belong in a graph-data repository but carry no data: skipped without a word. */
function isSilentlySkipped(name: string): boolean {
  return name === '_OWNERS' || name === 'OWNERS' || name.startsWith('.');
}

/**
 * Returns the YAML file names of the tree's directory `rel`, sorted by name, reporting every other entry that might be a mistake.
 * A missing directory is reported as fatal when `required`, else yields an empty list.
 */
export function scanYamlDir(tree: GraphDataTree, rel: string, problems: ProblemList, required: boolean): string[] {
  let entries;
  try {
    entries = tree.list(rel);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !required) return [];
    const why = code === 'ENOENT' ? 'required directory is missing' : code === 'ENOTDIR' ? 'is not a directory' : `cannot be listed: ${(err as Error).message}`;
    problems.fatal(`${rel}/`, why);
    return [];
  }
  const names: string[] = [];
  for (const name of entries.sort(compareFileNames)) {
    const file = `${rel}/${name}`;
    if (isSilentlySkipped(name)) continue;
    const ext = extensionOf(name);
    if (ext === null) {
      problems.warn(file, 'has no file extension, ignored (graph-data files end in .yaml)');
    } else if (/ya+ml/.test(ext)) {
      if (tree.isFile(file)) names.push(name);
      else problems.refuse(file, 'is not a regular file, ignored');
    } else if (ext === 'yml') {
      problems.warn(file, 'is ignored: upstream reads only .yaml files (rename it to .yaml)');
    } else {
      problems.warn(file, `not a .yaml file (extension ${JSON.stringify(ext)}), ignored`);
    }
  }
  return names;
}
