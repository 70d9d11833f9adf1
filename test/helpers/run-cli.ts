// Runs the built `kus` binary (dist/cli/main.js; `npm test` builds first) and returns its exit code and output.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './shared-fixtures.js';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runKus(args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'dist/cli/main.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, KUS_DB: '', KUS_SERVER: '', ...env },
    timeout: 60_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
