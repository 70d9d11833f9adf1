// What build this is: the package version (package.json, read once) and the source commit it was built from.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from './load.js';

export interface BuildInfo {
  readonly version: string;
  /** The git commit the build came from, or "unknown" (a build from a tarball without KUS_BUILD_COMMIT). */
  readonly commit: string;
}

/** Written by `npm run build` (scripts/build-info.js) next to the compiled code; never committed. */
export const BUILD_INFO_FILE = path.join(PACKAGE_ROOT, 'dist', 'build-info.json');
/** Names the commit where the build has no git checkout (a container build gets it as a build argument). */
export const BUILD_COMMIT_ENV = 'KUS_BUILD_COMMIT';

function readJson(file: string): Record<string, unknown> {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

let cached: BuildInfo | undefined;

/** The same answer for the life of the process: `kus --version`, /metrics and the creator of signatures agree. */
export function buildInfo(env: NodeJS.ProcessEnv = process.env): BuildInfo {
  if (cached) return cached;
  const pkg = readJson(path.join(PACKAGE_ROOT, 'package.json'));
  const built = readJson(BUILD_INFO_FILE);
  const fromEnv = env[BUILD_COMMIT_ENV]?.trim();
  const commit = typeof built.commit === 'string' && built.commit !== '' ? built.commit : fromEnv ? fromEnv : 'unknown';
  cached = Object.freeze({ version: typeof pkg.version === 'string' ? pkg.version : '0.0.0', commit });
  return cached;
}

export const packageVersion = (): string => buildInfo().version;
