// The graph-data `version` file (graph-semantics §6.2): schema major 1; newer minors are accepted with a warning.
import { quote } from '../errors/index.js';
import { parseSemver } from '../graph/index.js';
import type { ProblemList } from './problem.js';
import type { GraphDataTree } from './tree.js';

/** The newest schema KUS implements; newer minors are assumed compatible, as upstream does. */
export const SUPPORTED_SCHEMA = { major: 1, minor: 2 } as const;

/** Returns the trimmed schema version, or null after reporting a fatal problem. */
export function readSchemaVersion(tree: GraphDataTree, problems: ProblemList): string | null {
  let text: string;
  try {
    text = tree.readText('version');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    problems.fatal('version', code === 'ENOENT' ? 'required file is missing' : `cannot be read: ${(err as Error).message}`);
    return null;
  }
  const reason = schemaVersionProblem(text);
  if (reason) {
    problems.fatal('version', reason);
    return null;
  }
  const version = text.trim();
  const v = parseSemver(version)!;
  if (Number(v.minor) > SUPPORTED_SCHEMA.minor) {
    problems.warn('version', `schema ${quote(version)} is newer than ${SUPPORTED_SCHEMA.major}.${SUPPORTED_SCHEMA.minor}.0; assuming it is compatible`);
  }
  return version;
}

/** Null when the text names a schema KUS can read. */
export function schemaVersionProblem(text: string): string | null {
  const v = parseSemver(text);
  if (!v) return `schema version ${quote(text.trim())} is not SemVer`;
  if (v.major !== String(SUPPORTED_SCHEMA.major)) return `unsupported graph-data schema ${quote(text.trim())}: only major version ${SUPPORTED_SCHEMA.major} is supported`;
  return null;
}
