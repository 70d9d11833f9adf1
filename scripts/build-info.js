// Run by `npm run build`: records the commit the build came from in dist/build-info.json (dist/ is never committed).
// KUS_BUILD_COMMIT wins (a container build has no .git); else `git rev-parse HEAD`; else nothing is written.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const file = path.join(root, 'dist', 'build-info.json');

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

const commit = process.env.KUS_BUILD_COMMIT?.trim() || gitCommit();
if (commit) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ commit })}\n`);
} else {
  // A stale file from an earlier build would name the wrong commit.
  rmSync(file, { force: true });
}
