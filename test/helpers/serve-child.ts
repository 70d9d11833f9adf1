// Starts the built `kus serve` as a child process on 127.0.0.1 (port 0) and stops it at teardown.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { runKus, type CliResult } from './run-cli.js';
import { repoRoot } from './shared-fixtures.js';
import { tempTree } from './temp-tree.js';

export interface ServeChild {
  child: ChildProcess;
  /** Base URL the server bound, e.g. http://127.0.0.1:41234. */
  url: string;
  output: () => string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop: () => Promise<number | null>;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

export async function serveChild(t: Teardown, args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServeChild> {
  const cli = path.join(repoRoot, 'dist/cli/main.js');
  const child = spawn(process.execPath, [cli, 'serve', '--host', '127.0.0.1', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KUS_LOG_LEVEL: 'warn', ...env },
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async (): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return exited;
  };
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const m = /kus: listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
    if (m) return { child, url: m[1]!, output: () => output, stop };
    if (child.exitCode !== null) throw new Error(`kus serve exited with ${child.exitCode}: ${output}`);
    if (Date.now() > deadline) throw new Error(`kus serve did not listen within 30 s: ${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The graph a cluster gets for channel and arch, parsed. */
export async function servedGraph(
  url: string,
  channel: string,
  arch = 'arm64',
): Promise<{ nodes: Array<{ version: string; payload: string }>; edges: Array<[number, number]>; conditionalEdges: Array<{ edges: Array<{ from: string; to: string }>; risks: Array<{ name: string }> }> }> {
  const res = await fetch(`${url}/api/upgrades_info/graph?channel=${encodeURIComponent(channel)}&arch=${arch}`, { headers: { accept: 'application/json' } });
  if (res.status !== 200) throw new Error(`graph ${channel}/${arch}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Awaited<ReturnType<typeof servedGraph>>;
}

/** Edges of a served graph as "from -> to" version pairs, sorted. */
export function edgePairs(graph: { nodes: Array<{ version: string }>; edges: Array<[number, number]> }): string[] {
  return graph.edges.map(([f, t]) => `${graph.nodes[f]!.version} -> ${graph.nodes[t]!.version}`).sort();
}

/**
 * A store whose first admin token was made the way the README says (locally, `kus token create --db`), a server on
 * it (seeded with the example graph-data), and `kus` bound to that server and token.
 */
export async function serverWithToken(t: Teardown) {
  const db = path.join(tempTree(t), 'kus.db');
  const created = runKus(['token', 'create', '--db', db, '--name', 'ci', '--json'], { KUS_TOKEN: '' });
  if (created.status !== 0) throw new Error(`kus token create failed (${created.status}): ${created.stderr}`);
  const { token } = JSON.parse(created.stdout) as { token: string };
  const server = await serveChild(t, ['--db', db, '--graph-data', path.join(repoRoot, 'graph-data')]);
  const kus = (...args: string[]): CliResult => runKus([...args, '--server', server.url, '--token', token], { KUS_TOKEN: '' });
  return { db, token, server, kus };
}
