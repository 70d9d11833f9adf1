// A damaged store (real SQLite pages overwritten) is KUS_ERR_STORE naming the file: at `kus serve` start (quick_check),
// in a CLI command, and in an admin request of a running server. Never KUS_ERR_INTERNAL.
import t, { type Test } from 'tap';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { openStore } from '../src/store/index.js';
import { damageTable } from './helpers/damage.js';
import { runKus } from './helpers/run-cli.js';
import { serveChild } from './helpers/serve-child.js';
import { repoRoot } from './helpers/shared-fixtures.js';
import { tempTree } from './helpers/temp-tree.js';

const exampleData = path.join(repoRoot, 'graph-data');

/** A store holding the example graph-data and one admin token, written and closed by the real CLI. */
function exampleStore(t: Test): { db: string; token: string } {
  const db = path.join(tempTree(t), 'kus.db');
  const imported = runKus(['import', '--db', db, '--graph-data', exampleData]);
  if (imported.status !== 0) throw new Error(`kus import failed: ${imported.stderr}`);
  const created = runKus(['token', 'create', '--db', db, '--name', 'ci', '--json'], { KUS_TOKEN: '' });
  if (created.status !== 0) throw new Error(`kus token create failed: ${created.stderr}`);
  t.notOk(existsSync(`${db}-wal`), 'the CLI checkpointed its writes into the main file on exit');
  return { db, token: (JSON.parse(created.stdout) as { token: string }).token };
}

t.test('kus serve refuses to start on a damaged store, naming the file', async (t) => {
  const { db } = exampleStore(t);
  damageTable(db, 'audit');
  const r = runKus(['serve', '--db', db, '--host', '127.0.0.1', '--port', '0', '--graph-data', exampleData]);
  t.equal(r.status, 1, 'the start fails');
  // quick_check reads every page: it reports the damage, or (a root page gone) fails on it; either way the start stops.
  t.match(r.stderr, `KUS_ERR_STORE: store ${JSON.stringify(db)} is damaged (`);
  t.notMatch(r.stderr, /KUS_ERR_INTERNAL|listening/);
});

t.test('a damaged page met by a CLI command is KUS_ERR_STORE naming the file', async (t) => {
  const { db } = exampleStore(t);
  damageTable(db, 'releases');
  const r = runKus(['release', 'list', '--db', db]);
  t.equal(r.status, 1);
  t.match(r.stderr, new RegExp(`^KUS_ERR_STORE: store ${JSON.stringify(db).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is damaged \\(SQLITE_CORRUPT`));
  t.notMatch(r.stderr, /KUS_ERR_INTERNAL/);
});

t.test('a store is checked only when asked: a sound one opens with quickCheck, a damaged one opens without', async (t) => {
  const { db } = exampleStore(t);
  openStore(db, { quickCheck: true }).close();
  damageTable(db, 'releases');
  t.throws(() => openStore(db, { quickCheck: true }), { code: 'KUS_ERR_STORE', details: { file: db } });
  const store = openStore(db);
  t.teardown(() => store.close());
  t.throws(() => store.loadGraphInput(), { code: 'KUS_ERR_STORE', message: /is damaged \(SQLITE_CORRUPT/, details: { file: db, sqlite: /^SQLITE_CORRUPT/ } });
  t.equal(store.tokens.list().length, 1, 'undamaged tables still read');
});

t.test('pages damaged under a running server: its admin request answers KUS_ERR_STORE naming the file', async (t) => {
  const { db, token } = exampleStore(t);
  const server = await serveChild(t, ['--db', db, '--graph-data', exampleData]);
  const releases = (): Promise<Response> => fetch(`${server.url}/api/admin/v1/releases`, { headers: { authorization: `Bearer ${token}` } });
  t.equal((await releases()).status, 200, 'sound before');
  damageTable(db, 'releases');
  // Another process's write moves the WAL on, so the server drops its page cache and reads the damaged page.
  t.equal(runKus(['token', 'create', '--db', db, '--name', 'other'], { KUS_TOKEN: '' }).status, 0);
  const res = await releases();
  const body = (await res.json()) as { code: string; message: string };
  t.equal(res.status, 500);
  t.equal(body.code, 'KUS_ERR_STORE', body.message);
  t.match(body.message, `store ${JSON.stringify(db)} is damaged (SQLITE_CORRUPT`);
  await server.stop();
});
