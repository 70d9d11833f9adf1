// `kus backup` and `kus restore` on real store files, next to a real `kus serve` process that keeps writing.
import t, { type Test } from 'tap';
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrations } from '../src/store/migrations/index.js';
import { damageTable } from './helpers/damage.js';
import { runKus, runKusAsync, type CliResult } from './helpers/run-cli.js';
import { serveChild, type ServeChild } from './helpers/serve-child.js';
import { repoRoot } from './helpers/shared-fixtures.js';
import { tempTree } from './helpers/temp-tree.js';

const exampleData = path.join(repoRoot, 'graph-data');
const digest = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;

interface Content {
  integrity: string;
  releases: string[];
  /** Audit rows of the releases the writer added: one per release when the copy is one consistent state. */
  addAudits: number;
}

/** What a store file holds, read without KUS's code (no migration, read-only). */
function content(file: string): Content {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return {
      integrity: (db.pragma('quick_check', { simple: true }) as string),
      releases: (db.prepare('SELECT version, arch FROM releases ORDER BY version, arch').all() as Array<{ version: string; arch: string }>).map((r) => `${r.version}+${r.arch}`),
      addAudits: (db.prepare("SELECT count(*) AS n FROM audit WHERE action = 'release.add' AND outcome = 'ok'").get() as { n: number }).n,
    };
  } finally {
    db.close();
  }
}

const added = (c: Content): number => c.releases.filter((r) => r.startsWith('7.0.')).length;

/** A store with the example graph-data and a token, written by the CLI; a server on it. */
async function running(t: Test): Promise<{ dir: string; db: string; server: ServeChild; addRelease: (n: number) => Promise<number> }> {
  const dir = tempTree(t);
  const db = path.join(dir, 'kus.db');
  t.equal(runKus(['import', '--db', db, '--graph-data', exampleData]).status, 0, 'imported');
  const created = runKus(['token', 'create', '--db', db, '--name', 'ci', '--json'], { KUS_TOKEN: '' });
  const { token } = JSON.parse(created.stdout) as { token: string };
  const server = await serveChild(t, ['--db', db, '--graph-data', exampleData]);
  const addRelease = async (n: number): Promise<number> => {
    const res = await fetch(`${server.url}/api/admin/v1/releases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ version: `7.0.${n}`, arch: 'amd64', payload: `registry.example:5000/kylin/release@${digest(n + 1)}`, metadata: { description: 'x'.repeat(2000) } }),
    });
    await res.arrayBuffer();
    return res.status;
  };
  return { dir, db, server, addRelease };
}

t.test('backups taken while a running server writes are each one consistent, sound state', async (t) => {
  const { dir, db, addRelease } = await running(t);
  // The writer keeps writing until the last backup is taken, and each backup starts only after more writes were
  // answered than when the previous one ended: so each backup must hold more than the one before, however slow a
  // backup is on a loaded machine.
  const STEP = 24;
  // A reader held open from before the first write keeps SQLite's checkpoints from copying later commits into
  // kus.db, so the plain copies below miss them every time: without it, an automatic checkpoint that happened to run
  // just before a copy made that copy complete (a timing-dependent pass or fail).
  const pin = new Database(db, { readonly: true, fileMustExist: true });
  pin.exec('BEGIN');
  pin.prepare('SELECT count(*) FROM releases').get();
  t.teardown(() => { if (pin.open) pin.close(); });
  let done = 0;
  let stop = false;
  const statuses: number[] = [];
  const writer = (async () => {
    for (let n = 0; !stop && n < 5000; n++) {
      statuses.push(await addRelease(n));
      done++;
    }
  })();
  const backups: Array<{ file: string; run: CliResult; doneBefore: number; doneAfter: number; plainCopy: string }> = [];
  for (let i = 0; i < 4; i++) {
    const startAt = Math.max((i + 1) * STEP, (backups[i - 1]?.doneAfter ?? 0) + 1);
    while (done < startAt) await new Promise((r) => setTimeout(r, 10));
    const file = path.join(dir, `backup-${i}.db`);
    const plainCopy = path.join(dir, `cp-${i}.db`);
    const doneBefore = done;
    copyFileSync(db, plainCopy);
    const run = await runKusAsync(['backup', '--db', db, '--out', file, '--json']);
    backups.push({ file, run, doneBefore, doneAfter: done, plainCopy });
  }
  stop = true;
  await writer;
  pin.exec('COMMIT');
  pin.close();
  t.same([...new Set(statuses)], [200], 'every write answered 200');

  for (const [i, b] of backups.entries()) {
    t.equal(b.run.status, 0, `backup ${i}: ${b.run.stderr.trim() || 'exit 0'}`);
    const c = content(b.file);
    t.equal(c.integrity, 'ok', `backup ${i} passes quick_check`);
    t.ok(added(c) >= b.doneBefore && added(c) <= b.doneAfter, `backup ${i} holds ${added(c)} written releases (${b.doneBefore}..${b.doneAfter} were answered)`);
    t.equal(c.addAudits, added(c), `backup ${i}: each release with its audit row, nothing half-written`);
    t.same(JSON.parse(b.run.stdout), { db, out: b.file, bytes: (JSON.parse(b.run.stdout) as { bytes: number }).bytes, schema: migrations[migrations.length - 1]!.version, releases: c.releases.length, signatures: 0 });
    t.notOk(existsSync(`${b.file}-wal`), 'the backup is one file');
    // The finding: the main file alone misses the commits still in the WAL.
    t.ok(added(content(b.plainCopy)) < b.doneBefore, `cp of kus.db alone held ${added(content(b.plainCopy))} of ${b.doneBefore} written releases`);
  }
  for (let i = 1; i < backups.length; i++) {
    t.ok(added(content(backups[i]!.file)) > added(content(backups[i - 1]!.file)), `backup ${i} holds more than backup ${i - 1}`);
  }
});

t.test('restore: refused while the server runs; after a crash it replaces the store and its WAL cleanly', async (t) => {
  const { dir, db, server, addRelease } = await running(t);
  for (let n = 0; n < 10; n++) await addRelease(n);
  const backupFile = path.join(dir, 'backup.db');
  t.equal(runKus(['backup', '--db', db, '--out', backupFile]).status, 0);
  const backedUp = content(backupFile);
  t.equal(added(backedUp), 10);
  for (let n = 10; n < 40; n++) await addRelease(n);

  const busy = runKus(['restore', '--db', db, '--from', backupFile]);
  t.equal(busy.status, 1);
  t.match(busy.stderr, `KUS_ERR_CONFLICT: store ${JSON.stringify(db)} is in use by another process`);
  t.equal((await fetch(`${server.url}/readyz`)).status, 200, 'the server kept running');

  // A crash leaves commits in kus.db-wal; replayed onto the restored file they would mix two stores.
  server.child.kill('SIGKILL');
  await server.stop();
  t.ok(existsSync(`${db}-wal`), 'the crashed server left its WAL behind');
  const restored = runKus(['restore', '--db', db, '--from', backupFile, '--json']);
  t.equal(restored.status, 0, restored.stderr);
  t.match(JSON.parse(restored.stdout), { db, from: backupFile, releases: backedUp.releases.length, replaced: { releases: backedUp.releases.length + 30 } });
  t.notOk(existsSync(`${db}-wal`), 'no stale WAL beside the restored store');
  t.same(content(db), backedUp, 'the store holds exactly the backup');

  const again = await serveChild(t, ['--db', db, '--graph-data', exampleData]);
  t.equal((await fetch(`${again.url}/readyz`)).status, 200, 'a server starts on the restored store');
  await again.stop();
  t.same(content(db).releases, backedUp.releases);
});

t.test('restore checks the backup first: damaged or foreign files are refused and the store is left alone', async (t) => {
  const dir = tempTree(t);
  const db = path.join(dir, 'kus.db');
  t.equal(runKus(['import', '--db', db, '--graph-data', exampleData]).status, 0);
  const before = content(db);
  const damaged = path.join(dir, 'damaged.db');
  t.equal(runKus(['backup', '--db', db, '--out', damaged]).status, 0);
  damageTable(damaged, 'releases');
  const r = runKus(['restore', '--db', db, '--from', damaged]);
  t.equal(r.status, 1);
  t.match(r.stderr, `KUS_ERR_STORE: file ${JSON.stringify(damaged)} is damaged`);

  const foreign = path.join(dir, 'other.db');
  const other = new Database(foreign);
  other.exec('CREATE TABLE notes (x TEXT)');
  other.close();
  t.match(runKus(['restore', '--db', db, '--from', foreign]).stderr, `KUS_ERR_STORE: file ${JSON.stringify(foreign)} is an SQLite database but not a KUS store`);
  const text = path.join(dir, 'notes.txt');
  writeFileSync(text, 'not a database at all\n'.repeat(300));
  t.match(runKus(['restore', '--db', db, '--from', text]).stderr, `KUS_ERR_STORE: file ${JSON.stringify(text)} is not an SQLite database, or is damaged (SQLITE_NOTADB`);
  t.match(runKus(['restore', '--db', db, '--from', path.join(dir, 'missing.db')]).stderr, /^KUS_ERR_NOT_FOUND: there is no file/);
  t.match(runKus(['backup', '--db', db, '--out', `${db}-wal`]).stderr, /^KUS_ERR_USAGE: --out .* is the store/);
  t.same(content(db), before, 'the store is unchanged');

  // A backup restores into a new path too, and the copy is a store KUS opens.
  const fresh = path.join(dir, 'fresh.db');
  t.equal(runKus(['restore', '--db', fresh, '--from', path.join(dir, 'damaged.db').replace('damaged', 'good')]).status, 1, 'a missing backup is refused');
  const good = path.join(dir, 'good.db');
  t.equal(runKus(['backup', '--db', db, '--out', good]).status, 0);
  t.equal(runKus(['restore', '--db', fresh, '--from', good]).status, 0);
  t.equal(JSON.parse(runKus(['release', 'list', '--db', fresh, '--json']).stdout).length, before.releases.length);
});
