// An explicit flag beats an environment variable, and an error an environment variable caused names it.
import path from 'node:path';
import t from 'tap';
import { runKus } from './helpers/run-cli.js';
import { serveChild } from './helpers/serve-child.js';
import { tempTree } from './helpers/temp-tree.js';

// Nothing listens on port 9 (discard) of 127.0.0.1 in the test environment; no request must go there anyway.
const nowhere = 'http://127.0.0.1:9';

t.test('--db wins over an exported KUS_SERVER (the README makes the first token this way)', async (t) => {
  const db = path.join(tempTree(t), 'kus.db');
  const r = runKus(['token', 'create', '--db', db, '--name', 'alice', '--json'], { KUS_SERVER: nowhere, KUS_TOKEN: '' });
  t.equal(r.status, 0, `exit 0: ${r.stderr}`);
  t.match(JSON.parse(r.stdout), { name: 'alice', token: /^kus_/ });
  const listed = runKus(['token', 'list', '--db', db, '--json'], { KUS_SERVER: nowhere, KUS_TOKEN: 'kus_stale' });
  t.equal(listed.status, 0, `an exported KUS_TOKEN does not drag the command to the server either: ${listed.stderr}`);
  const exported = runKus(['export', '--db', db, '--graph-data', path.join(path.dirname(db), 'out')], { KUS_SERVER: nowhere });
  t.equal(exported.status, 0, `kus export --db with KUS_SERVER exported: ${exported.stderr}`);
});

t.test('--server wins over KUS_DB; both typed is a usage error naming both', async (t) => {
  const db = path.join(tempTree(t), 'kus.db');
  const r = runKus(['release', 'list', '--server', nowhere, '--token', 'x'], { KUS_DB: db });
  t.equal(r.status, 1);
  t.match(r.stderr, /^KUS_ERR_SERVER_UNREACHABLE: cannot reach the KUS server at "http:\/\/127\.0\.0\.1:9"/, 'went to the server, not to KUS_DB');
  const both = runKus(['release', 'list', '--server', nowhere, '--token', 'x', '--db', db]);
  t.equal(both.status, 2);
  t.match(both.stderr, /^KUS_ERR_USAGE: --db ".*kus\.db" and --server "http:\/\/127\.0\.0\.1:9" both given/);
});

t.test('an error caused by KUS_SERVER or KUS_TOKEN names the variable', async (t) => {
  const noToken = runKus(['release', 'list'], { KUS_SERVER: nowhere, KUS_TOKEN: '' });
  t.equal(noToken.status, 1);
  t.match(noToken.stderr, /^KUS_ERR_UNAUTHORIZED: KUS_SERVER "http:\/\/127\.0\.0\.1:9" \(from the environment\) needs an admin token/);
  t.match(noToken.stderr, /KUS_TOKEN \(it is unset or empty\)/);
  t.match(noToken.stderr, /or pass --db FILE to act on a local store instead of KUS_SERVER/);

  const badUrl = runKus(['key', 'list'], { KUS_SERVER: 'kus.example:8080/x y', KUS_TOKEN: 't' });
  t.equal(badUrl.status, 2);
  t.match(badUrl.stderr, /^KUS_ERR_USAGE: KUS_SERVER "kus\.example:8080\/x y" is not/);

  const unreachable = runKus(['channel', 'list'], { KUS_SERVER: nowhere, KUS_TOKEN: 't' });
  t.match(unreachable.stderr, /check KUS_SERVER \(or pass --db FILE for a local store\)/);

  const server = await serveChild(t, ['--db', path.join(tempTree(t), 'kus.db')]);
  const stale = runKus(['release', 'list'], { KUS_SERVER: server.url, KUS_TOKEN: 'kus_not_a_token' });
  t.equal(stale.status, 1);
  t.match(stale.stderr, /^KUS_ERR_UNAUTHORIZED: .*\(the token came from KUS_TOKEN\)\n$/);
  const typed = runKus(['release', 'list', '--token', 'kus_not_a_token'], { KUS_SERVER: server.url });
  t.notMatch(typed.stderr, /KUS_TOKEN/, 'a typed token is not blamed on the environment');
});
