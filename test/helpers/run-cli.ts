// Runs the built `kus` binary (dist/cli/main.js; `npm test` builds first) and returns its exit code and output.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './shared-fixtures.js';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

const cli = path.join(repoRoot, 'dist/cli/main.js');

export function runKus(args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, KUS_DB: '', KUS_SERVER: '', ...env },
    timeout: 60_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `kus token create NAME --scope SCOPE` on a local store; returns the token. */
export function createToken(db: string, name: string, scope: string): string {
  const made = runKus(['token', 'create', name, '--scope', scope, '--db', db, '--json'], { KUS_TOKEN: '' });
  if (made.status !== 0) throw new Error(made.stderr);
  return (JSON.parse(made.stdout) as { token: string }).token;
}

/**
 * Like runKus, but without blocking this process: for tests whose servers (a token service, a static file server)
 * run in the test process and must answer the CLI meanwhile. Killed after 60 s, like runKus.
 */
export function runKusAsync(args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, KUS_DB: '', KUS_SERVER: '', KUS_TOKEN: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
