// `kus --server` errors: the server's KUS errors as `CODE: message` and exit 1, tokens (none, wrong, revoked, made
// over the API), KUS_SERVER/KUS_TOKEN, and servers that cannot be reached or are not KUS.
import t from 'tap';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { json, payload, succeeds } from './helpers/cli-local.js';
import { runKus } from './helpers/run-cli.js';
import { serverWithToken, servedGraph } from './helpers/serve-child.js';
import { repoRoot } from './helpers/shared-fixtures.js';
import { tempTree } from './helpers/temp-tree.js';

if (!existsSync(path.join(repoRoot, 'dist/cli/main.js'))) throw new Error('dist/cli/main.js is missing: run "npm run build" first (npm test does it)');

/** A port nothing listens on: bound once by us, then released. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

t.test('errors from the server print CODE: message and exit 1', async (t) => {
  const { server, token, kus } = await serverWithToken(t);
  succeeds(t, kus('channel', 'create', 'candidate-5.0'));
  succeeds(t, kus('release', 'add', '--version', '5.0.0', '--arch', 'arm64', '--payload', payload(1)));

  let r = kus('release', 'add', '--version', '5.0.0', '--arch', 'arm64', '--payload', payload(2));
  t.equal(r.status, 1, 'digest mismatch (409)');
  t.match(r.stderr, /^KUS_ERR_DIGEST_MISMATCH: .*5\.0\.0/);
  t.equal(r.stdout, '');
  r = kus('release', 'add', '--version', '5.0.0', '--arch', 'arm64', '--payload', payload(1));
  t.equal(r.status, 0, 'the same digest again is fine');
  t.match(r.stdout, /nothing changed/);
  r = kus('channel', 'add', 'nope-5.0', '5.0.0');
  t.equal(r.status, 1);
  t.match(r.stderr, /^KUS_ERR_NOT_FOUND: .*nope-5\.0/);
  r = kus('release', 'show', '4.0.0+arm64');
  t.equal(r.status, 1, 'a version with "+" travels encoded');
  t.match(r.stderr, /^KUS_ERR_\w+: .*4\.0\.0/);
  r = kus('edge', 'block', '--to', '5.0.0', '--from', '(');
  t.equal(r.status, 1);
  t.match(r.stderr, /^KUS_ERR_INVALID_REGEX: /);

  // No token, a wrong token, a revoked token.
  r = runKus(['release', 'list', '--server', server.url], { KUS_TOKEN: '' });
  t.equal(r.status, 1);
  t.match(r.stderr, /^KUS_ERR_UNAUTHORIZED: --server \S+ needs an admin token: pass --token TOKEN or set KUS_TOKEN/);
  r = runKus(['release', 'list', '--server', server.url, '--token', 'not-a-token'], { KUS_TOKEN: '' });
  t.equal(r.status, 1);
  t.match(r.stderr, /^KUS_ERR_UNAUTHORIZED: /, 'the server refused the token');
  r = kus('token', 'create', '--name', 'nightly', '--json');
  t.equal(r.status, 0, r.stderr);
  const nightly = json<{ name: string; token: string }>(r);
  t.same(Object.keys(nightly), ['name', 'scope', 'token']);
  t.equal(runKus(['channel', 'list', '--server', server.url, '--token', nightly.token], { KUS_TOKEN: '' }).status, 0, 'a token made over the API works');
  t.match(kus('token', 'list').stdout, /\nnightly\s/);
  succeeds(t, kus('token', 'revoke', 'nightly'));
  r = runKus(['channel', 'list', '--server', server.url, '--token', nightly.token], { KUS_TOKEN: '' });
  t.equal(r.status, 1, 'a revoked token is refused');
  t.match(r.stderr, /^KUS_ERR_UNAUTHORIZED: /);
  t.not(nightly.token, token);

  // --db and --server together are ambiguous; a KUS_DB in the environment is not.
  r = runKus(['channel', 'list', '--server', server.url, '--token', token, '--db', 'x.db'], { KUS_TOKEN: '' });
  t.equal(r.status, 2);
  t.match(r.stderr, /^KUS_ERR_USAGE: --db "x\.db" and --server "http:\/\/127\.0\.0\.1:\d+" both given/);
  r = runKus(['channel', 'list', '--server', server.url, '--token', token], { KUS_TOKEN: '', KUS_DB: path.join(tempTree(t), 'other.db') });
  t.equal(r.status, 0, r.stderr);
});

t.test('KUS_SERVER and KUS_TOKEN stand for --server and --token', async (t) => {
  const { server, token } = await serverWithToken(t);
  const env = { KUS_SERVER: server.url, KUS_TOKEN: token };
  let r = runKus(['channel', 'create', 'candidate-6.0'], env);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, `in server "${server.url}"`);
  r = runKus(['release', 'add', '--version', '6.0.0', '--arch', 'arm64', '--payload', payload(9), '--channel', 'candidate-6.0'], env);
  t.equal(r.status, 0, r.stderr);
  t.same((await servedGraph(server.url, 'candidate-6.0')).nodes.map((n) => [n.version, n.payload]), [['6.0.0', payload(9)]]);
  r = runKus(['release', 'list', '--json'], env);
  t.equal(r.status, 0, r.stderr);
  t.ok(json<Array<{ version: string }>>(r).some((x) => x.version === '6.0.0'));
  r = runKus(['release', 'list'], { KUS_SERVER: server.url, KUS_TOKEN: '' });
  t.equal(r.status, 1);
  t.match(r.stderr, /^KUS_ERR_UNAUTHORIZED: /);
});

t.test('a server that cannot be reached, or is not KUS, is named in the error', async (t) => {
  const port = await closedPort();
  let r = runKus(['release', 'list', '--server', `http://127.0.0.1:${port}`, '--token', 'x'], { KUS_TOKEN: '' });
  t.equal(r.status, 1);
  t.match(r.stderr, new RegExp(`^KUS_ERR_SERVER_UNREACHABLE: cannot reach the KUS server at "http://127\\.0\\.0\\.1:${port}" .*ECONNREFUSED`));
  r = runKus(['release', 'list', '--server', 'ftp://127.0.0.1', '--token', 'x'], { KUS_TOKEN: '' });
  t.equal(r.status, 2);
  t.match(r.stderr, /^KUS_ERR_USAGE: --server "ftp:\/\/127\.0\.0\.1" is not an http:\/\/ or https:\/\/ URL/);

  // A graph-only path prefix: the admin API is not there, the answer is a bare 404.
  const { server, token } = await serverWithToken(t);
  r = runKus(['release', 'list', '--server', `${server.url}/api/upgrades_info`, '--token', token], { KUS_TOKEN: '' });
  t.equal(r.status, 1);
  t.match(r.stderr, /^KUS_ERR_SERVER_RESPONSE: GET http:\/\/127\.0\.0\.1:\d+\/api\/upgrades_info\/api\/admin\/v1\/releases answered 404 /);
});
