// Reads a file of a graph-data directory, refusing one that a symbolic link leads out of the directory: a tree from
// elsewhere must not make KUS read (and echo in an error) /etc/passwd or a key file.
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';

/** Thrown instead of reading; the message never includes the target's path or content. */
export class OutsideTreeError extends Error {
  constructor() {
    super('it is a symbolic link that leads outside the graph-data directory, so it is not read');
    this.name = 'OutsideTreeError';
  }
}

/** The UTF-8 text of `root/rel`; missing files throw ENOENT as readFileSync does. */
export function readTreeFile(root: string, rel: string): string {
  const real = realpathSync(path.join(root, rel));
  const base = realpathSync(root);
  const inside = path.relative(base, real);
  if (inside === '' || inside === '..' || inside.startsWith(`..${path.sep}`) || path.isAbsolute(inside)) throw new OutsideTreeError();
  return readFileSync(real, 'utf8');
}
