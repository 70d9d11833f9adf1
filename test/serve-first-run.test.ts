// First run: example data only when asked, nothing seeded or created by a start that fails, missing folders and
// graph-data named, a port in use reported as configuration (KUS_ERR_CONFIG naming the address), not as a bug.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import t from 'tap';
import { openStore } from '../src/store/index.js';
import { runKus } from './helpers/run-cli.js';
import { serveChild, servedGraph } from './helpers/serve-child.js';
import { repoRoot } from './helpers/shared-fixtures.js';
import { tempTree } from './helpers/temp-tree.js';

const cli = path.join(repoRoot, 'dist/cli/main.js');
const exampleGraphData = path.join(repoRoot, 'graph-data');

function serveOnce(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [cli, 'serve', ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, KUS_LOG_LEVEL: 'info', KUS_DB: '', KUS_GRAPH_DATA: '', ...env } });
}

/** A TCP port on 127.0.0.1 that another program holds for the duration of the test. */
async function takenPort(t: { teardown(fn: () => unknown): void }): Promise<number> {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise((resolve) => holder.close(resolve)));
  return (holder.address() as AddressInfo).port;
}

const releaseCount = (db: string): number => {
  const r = runKus(['release', 'list', '--db', db, '--json']);
  if (r.status !== 0) throw new Error(r.stderr);
  return (JSON.parse(r.stdout) as unknown[]).length;
};

t.test('a new store starts empty unless example data is asked for, and the log says so', async (t) => {
  const db = path.join(tempTree(t), 'kus.db');
  const server = await serveChild(t, ['--db', db], { KUS_LOG_LEVEL: 'info', KUS_GRAPH_DATA: '' });
  const graph = await servedGraph(server.url, 'stable-4.9');
  t.same(graph.nodes, [], 'no made-up releases are served');
  t.match(server.output(), /"msg":"the store is empty: serving an empty graph until releases are published/);
  t.notMatch(server.output(), /seeded/);
  t.equal(await server.stop(), 0);
  t.equal(releaseCount(db), 0, 'nothing was written into the store');

  const asked = path.join(tempTree(t), 'kus.db');
  const seeded = await serveChild(t, ['--db', asked, '--graph-data', exampleGraphData], { KUS_LOG_LEVEL: 'info' });
  t.ok((await servedGraph(seeded.url, 'stable-4.9')).nodes.length > 0, 'with --graph-data the example is served');
  t.match(seeded.output(), /"msg":"seeded the empty store from graph-data"/);
});

t.test('npm start asks for the example graph-data explicitly', async (t) => {
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  t.match(pkg.scripts.start, / serve --graph-data graph-data$/);
});

t.test('a port in use is KUS_ERR_CONFIG naming the address, and nothing was seeded or created', async (t) => {
  const port = await takenPort(t);
  const dir = tempTree(t);
  const fresh = path.join(dir, 'fresh.db');
  const r = serveOnce(['--host', '127.0.0.1', '--port', String(port), '--db', fresh, '--graph-data', exampleGraphData]);
  t.equal(r.status, 1);
  t.match(r.stderr, new RegExp(`^KUS_ERR_CONFIG: cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use`, 'm'));
  t.notMatch(r.stderr, /KUS_ERR_INTERNAL/);
  t.same(readdirSync(dir), [], 'the failed start left no database file (nor -wal/-shm) behind');

  // An existing, empty store (say a volume prepared earlier) is not filled by a start that then fails.
  const empty = path.join(dir, 'empty.db');
  openStore(empty).close();
  const again = serveOnce(['--host', '127.0.0.1', '--port', String(port), '--db', empty, '--graph-data', exampleGraphData]);
  t.equal(again.status, 1);
  t.notMatch(again.stdout, /seeded/);
  t.equal(releaseCount(empty), 0, 'the existing store is still empty');
});

t.test('a missing --graph-data directory is named as missing, before any store is created', async (t) => {
  const dir = tempTree(t, { 'a-file': 'x' });
  const missing = path.join(dir, 'no-such-graph-data');
  const r = serveOnce(['--port', '0', '--db', path.join(dir, 'kus.db'), '--graph-data', missing]);
  t.equal(r.status, 1);
  t.match(r.stderr, `KUS_ERR_CONFIG: --graph-data ${JSON.stringify(missing)} does not exist`);
  const fromEnv = serveOnce(['--port', '0', '--db', path.join(dir, 'kus.db')], { KUS_GRAPH_DATA: missing });
  t.match(fromEnv.stderr, `KUS_ERR_CONFIG: KUS_GRAPH_DATA ${JSON.stringify(missing)} does not exist`);
  const notDir = serveOnce(['--port', '0', '--db', path.join(dir, 'kus.db'), '--graph-data', path.join(dir, 'a-file')]);
  t.match(notDir.stderr, /is not a directory/);
  t.same(readdirSync(dir), ['a-file'], 'no store was created');
});

t.test('a missing parent directory of --db is an error naming it; only the default location is created', async (t) => {
  const dir = tempTree(t);
  const deep = path.join(dir, 'no', 'such', 'dir', 'kus.db');
  const serve = serveOnce(['--port', '0', '--db', deep]);
  t.equal(serve.status, 1);
  t.match(serve.stderr, `KUS_ERR_CONFIG: --db ${JSON.stringify(deep)}: the directory ${JSON.stringify(path.dirname(deep))} does not exist`);
  const cliRun = runKus(["channel", "create", "fast-1", "--db", deep]);
  t.equal(cliRun.status, 1);
  t.match(cliRun.stderr, `KUS_ERR_CONFIG: --db ${JSON.stringify(deep)}: the directory`);
  const env = runKus(['channel', 'create', 'fast-1'], { KUS_DB: deep });
  t.match(env.stderr, `KUS_ERR_CONFIG: KUS_DB ${JSON.stringify(deep)}: the directory`, 'the variable is named when it chose the file');
  t.same(readdirSync(dir), [], 'no directory tree was created');

  // The default ./data/kus.db may be created, and the command says where the new store is.
  const cwd = tempTree(t);
  const made = spawnSync(process.execPath, [cli, 'channel', 'create', 'fast-1'], { cwd, encoding: 'utf8', env: { ...process.env, KUS_DB: '', KUS_SERVER: '' } });
  t.equal(made.status, 0, made.stderr);
  t.ok(existsSync(path.join(cwd, 'data', 'kus.db')));
  t.match(made.stderr, `kus: created a new store at ${path.join(cwd, 'data', 'kus.db')}`);
});

t.test('a failed command or import leaves no new database file behind', async (t) => {
  const dir = tempTree(t, { bad: { version: '1.2.0\n', channels: { 'stable-1.yaml': 'name: stable-1\nversions: [not-semver]\n' } } });
  const db = path.join(dir, 'new.db');
  const imported = runKus(['import', '--db', db, '--graph-data', path.join(dir, 'bad')]);
  t.equal(imported.status, 1, imported.stderr);
  t.notOk(existsSync(db), `kus import that failed left no ${db}`);
  const added = runKus(['release', 'add', '--db', db, '--version', '1.0.0', '--arch', 'arm64', '--payload', 'not-a-pullspec']);
  t.equal(added.status, 1, added.stderr);
  t.same(readdirSync(dir), ['bad'], 'kus release add that failed left no store, -wal or -shm');
  // A store that existed before is of course kept when a command on it fails.
  openStore(db).close();
  writeFileSync(path.join(dir, 'marker'), '');
  t.equal(runKus(['release', 'add', '--db', db, '--version', '1.0.0', '--arch', 'arm64', '--payload', 'x']).status, 1);
  t.ok(existsSync(db));
});
