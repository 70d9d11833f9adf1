// `kus serve` as a real process: seeds an empty store from graph-data, serves graphs over HTTP, exits cleanly on SIGTERM.
import t, { type Test } from 'tap';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { request } from 'node:http';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(repoRoot, 'dist/cli/main.js');
const graphDataDir = path.join(repoRoot, 'graph-data');

if (!existsSync(cli)) throw new Error(`${cli} is missing: run "npm run build" first (npm test does it)`);

interface Served {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function tmpDir(t: Test): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kus-serve-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Starts the built CLI on port 0 and waits for its "listening on URL" line; killed at teardown if still running. */
async function serve(t: Test, args: string[]): Promise<Served> {
  const child = spawn(process.execPath, [cli, 'serve', '--host', '127.0.0.1', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KUS_LOG_LEVEL: 'info' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exit;
    }
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const m = /kus: listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
    if (m) return { child, url: m[1]!, stdout: () => stdout, stderr: () => stderr, exit };
    if (child.exitCode !== null) throw new Error(`kus serve exited with ${child.exitCode}: ${stderr}`);
    if (Date.now() > deadline) throw new Error(`kus serve did not listen within 30 s: ${stdout}${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** GET over real HTTP with the headers a cluster sends; the raw bytes are kept to check gzip. */
function get(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

t.test('serves the example graph-data over HTTP and stops cleanly on SIGTERM', { skip: existsSync(graphDataDir) ? false : `no ${graphDataDir}` }, async (t) => {
  const db = path.join(tmpDir(t), 'kus.db');
  const server = await serve(t, ['--db', db, '--graph-data', graphDataDir]);
  t.ok(existsSync(db), 'the store file was created');

  const ready = await get(`${server.url}/readyz`, {});
  t.equal(ready.status, 200, 'ready after the first build');

  const res = await get(`${server.url}/api/upgrades_info/v1/graph?arch=arm64&channel=stable-4.9&id=0b9ab4c8-4e4f-4a8f-9d3e-3b0c9d1b2a11&version=4.9.15`, {
    accept: 'application/json',
    'accept-encoding': 'gzip',
    'user-agent': 'ClusterVersionOperator/test',
  });
  t.equal(res.status, 200);
  t.equal(res.headers['content-type'], 'application/json');
  t.equal(res.headers['content-encoding'], 'gzip');
  const graph = JSON.parse(gunzipSync(res.body).toString('utf8')) as { version: number; nodes: Array<{ version: string }> };
  t.equal(graph.version, 1);
  t.ok(graph.nodes.length > 0, `stable-4.9/arm64 has nodes (${graph.nodes.map((n) => n.version).join(', ')})`);
  t.ok(graph.nodes.some((n) => n.version === '4.9.15'), '4.9.15 is served without its +arm64 suffix');

  server.child.kill('SIGTERM');
  const { code, signal } = await server.exit;
  t.equal(code, 0, 'exit code 0 after SIGTERM');
  t.equal(signal, null);
  t.match(server.stdout(), /"msg":"seeded the empty store from graph-data"/);
  t.match(server.stdout(), /"msg":"server closed"/, 'shutdown was logged');
  t.equal(server.stderr(), '', 'nothing on stderr');

  // A second start on the same store does not seed again: the store, not graph-data, is the truth now.
  const again = await serve(t, ['--db', db, '--graph-data', tmpDir(t)]);
  const second = await get(`${again.url}/graph?channel=stable-4.9&arch=arm64`, { accept: 'application/json', 'accept-encoding': 'gzip' });
  t.same(JSON.parse(gunzipSync(second.body).toString('utf8')), graph, 'same graph from the stored data');
  t.notMatch(again.stdout(), /seeded/);
  t.match(again.stdout(), /the store is not empty: --graph-data was not imported/);
  again.child.kill('SIGINT');
  t.equal((await again.exit).code, 0, 'SIGINT also exits cleanly');
});

t.test('bad settings fail loudly with KUS_ERR_CONFIG and exit 1', async (t) => {
  const bad: Array<[string[], Record<string, string>, RegExp]> = [
    [['--port', 'http'], {}, /^KUS_ERR_CONFIG: --port "http" is not a port number/m],
    [['--port', '70000'], {}, /^KUS_ERR_CONFIG: --port "70000"/m],
    [[], { KUS_PORT: '-1' }, /^KUS_ERR_CONFIG: KUS_PORT "-1"/m],
    [['--log-level', 'loud'], {}, /^KUS_ERR_CONFIG: --log-level "loud" is not a log level/m],
  ];
  for (const [args, env, expected] of bad) {
    const run = spawnSync(process.execPath, [cli, 'serve', '--db', path.join(tmpDir(t), 'kus.db'), ...args], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
      timeout: 30_000,
    });
    t.equal(run.status, 1, `${args.join(' ')} ${JSON.stringify(env)}: exit 1`);
    t.match(run.stderr, expected);
  }
});

t.test('kus serve --help explains the flags', async (t) => {
  const run = spawnSync(process.execPath, [cli, 'serve', '--help'], { encoding: 'utf8', timeout: 30_000 });
  t.equal(run.status, 0);
  for (const flag of ['--host ADDR', '--port PORT', '--db FILE', '--graph-data DIR', '--log-level LEVEL']) t.match(run.stdout, flag);
  t.match(run.stdout, /env KUS_PORT/);
  t.match(run.stdout, /env KUS_GRAPH_DATA/);
  t.match(run.stdout, /\/api\/upgrades_info\/graph/);
});
