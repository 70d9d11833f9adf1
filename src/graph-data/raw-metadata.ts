// `raw/metadata.json` (graph-semantics §6.3): version → metadata key → string value, kept in file order.
import { quote } from '../errors/index.js';
import { parseSemver, type Metadata } from '../graph/index.js';
import type { ProblemList } from './problem.js';
import type { GraphDataTree } from './tree.js';
import { describeType, isMapping } from './yaml-file.js';

export const RAW_METADATA_FILE = 'raw/metadata.json';

/** Returns the entries in file order, or null after reporting a fatal problem (upstream fails the build). */
export function readRawMetadata(tree: GraphDataTree, problems: ProblemList): Array<[string, Metadata]> | null {
  const file = RAW_METADATA_FILE;
  let text: string;
  try {
    text = tree.readText(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    problems.fatal(file, code === 'ENOENT' ? 'required file is missing' : `cannot be read: ${(err as Error).message}`);
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    problems.fatal(file, `is not valid JSON: ${(err as Error).message}`);
    return null;
  }
  if (!isMapping(json)) {
    problems.fatal(file, `must be a JSON object of version → metadata object (found ${describeType(json)})`);
    return null;
  }
  const entries: Array<[string, Metadata]> = [];
  let ok = true;
  for (const [version, value] of Object.entries(json)) {
    if (!isMapping(value)) {
      problems.fatal(file, `entry ${quote(version)} must be an object of string values (found ${describeType(value)})`);
      ok = false;
      continue;
    }
    const metadata: Metadata = {};
    for (const [key, v] of Object.entries(value)) {
      if (typeof v !== 'string') {
        problems.fatal(file, `entry ${quote(version)} key ${quote(key)} must be a string (found ${describeType(v)} ${quote(v)})`);
        ok = false;
      } else {
        metadata[key] = v;
      }
    }
    if (!parseSemver(version)) problems.warn(file, `entry ${quote(version)} is not SemVer, so it matches no release`);
    entries.push([version, metadata]);
  }
  return ok ? entries : null;
}
