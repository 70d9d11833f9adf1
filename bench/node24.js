// The Node 24 runtime for the Node 24 vs machine-node comparison: scripts/node24.sh installs it (once) into
// .cache/node24 with a better-sqlite3 built for it; KUS then runs as `node --import scripts/node24-addons.mjs ...`.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

/** The node running the benchmark, as a runtime KUS can be started with. */
export function machineRuntime() {
  return { label: `node ${process.version}`, version: process.version, execPath: process.execPath, nodeArgs: [] };
}

/** Node 24 as a runtime, or { skipped: reason } when it cannot be installed (no registry, no compiler). */
export function node24Runtime(repoRoot) {
  const script = path.join(repoRoot, 'scripts', 'node24.sh');
  console.log('preparing Node 24 (scripts/node24.sh; the first time it builds better-sqlite3, about 2 minutes)');
  const install = spawnSync(script, [], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 900_000 });
  if (install.status !== 0) return { skipped: `scripts/node24.sh failed (${install.signal ?? `exit ${install.status}`})` };
  const execPath = install.stdout.trim();
  const version = spawnSync(execPath, ['--version'], { encoding: 'utf8' }).stdout.trim();
  return { label: `node ${version}`, version, execPath, nodeArgs: [`--import=${path.join(repoRoot, 'scripts', 'node24-addons.mjs')}`] };
}
