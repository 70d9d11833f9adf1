// A replica's syncs of a signed primary: each sync verifies only the signatures it has not verified before (with the
// same keys, and before they expire), and stores only the signatures that changed; what a fresh check refuses it still
// refuses. Real OpenPGP signatures (OpenPGP.js), real SQLite files, the archive a primary serves.
import t, { type Test } from 'tap';
import path from 'node:path';
import Database from 'better-sqlite3';
import type * as openpgp from 'openpgp';
import { YamlMemo } from '../src/graph-data/index.js';
import type { Release } from '../src/graph/index.js';
import { storeSnapshot, type SnapshotMemos } from '../src/services/follow.js';
import { buildGraphDataArchive, graphDataArchiveFiles } from '../src/services/graph-data-archive.js';
import { SignatureCheckMemo } from '../src/services/signature-check-memo.js';
import { claimText, describePublicKey } from '../src/signatures/index.js';
import { openStore, type Store } from '../src/store/index.js';
import { jsKey, jsSign } from './helpers/signing.js';

type Key = Awaited<ReturnType<typeof jsKey>>;

const hex = (n: number): string => n.toString(16).padStart(64, '0');
const digestOf = (i: number): string => `sha256:${hex(i + 1)}`;
const release = (i: number): Release => ({
  version: `1.0.${i}`, arch: 'amd64', payload: `registry.example/kylin/release@${digestOf(i)}`, digest: digestOf(i),
  metadata: {}, previous: i ? [`1.0.${i - 1}`] : [], next: [],
});

/** A primary's store, changed between syncs the way its admins would change it. */
class Primary {
  readonly store: Store;

  constructor(t: Test, file: string) {
    this.store = openStore(file);
    t.teardown(() => this.store.close());
  }

  /** A primary with releases 0 to count - 1, each signed by `key`, which it trusts as `name`. */
  static async signed(t: Test, file: string, count: number, name: string, key: Key, date?: Date): Promise<Primary> {
    const primary = new Primary(t, file);
    primary.releases(count);
    await primary.trust(name, key);
    for (let i = 0; i < count; i++) await primary.sign(i, key, date);
    return primary;
  }

  releases(count: number): void {
    const releases = Array.from({ length: count }, (_, i) => release(i));
    this.store.replaceAll({
      releases,
      graphData: {
        schemaVersion: '1.2.0', rawMetadata: [], blockedEdges: [], conditionalEdges: [],
        channels: [{ file: 'stable-1.0.yaml', name: 'stable-1.0', versions: releases.map((r) => r.version) }],
      },
    });
  }

  async trust(name: string, key: Key): Promise<void> {
    const publicKey = key.publicKey.armor();
    this.store.signingKeys.insert({ name, fingerprint: (await describePublicKey(publicKey)).fingerprint, publicKey, privateKey: null, active: true, createdAt: new Date().toISOString() });
  }

  async sign(i: number, key: Key, date?: Date): Promise<void> {
    const claim = claimText({ digest: digestOf(i), reference: 'registry.example/kylin/release', creator: 'test', timestamp: 1_700_000_000 });
    this.store.signatures.append({ digest: digestOf(i), bytes: await jsSign(claim, key.privateKey as openpgp.PrivateKey, date), keyFingerprint: null, source: 'signed' });
  }

  /** SQL on the primary's file, for what no admin command does (dropping a signature, damaging one). */
  sql(fn: (db: Database.Database) => void): void {
    const db = new Database(this.store.file);
    try {
      fn(db);
    } finally {
      db.close();
    }
  }

  async archive(): Promise<Buffer> {
    return await buildGraphDataArchive(graphDataArchiveFiles(this.store));
  }
}

interface Row {
  id: number;
  digest: string;
  idx: number;
  key_fingerprint: string | null;
  created_at: string;
}

function replica(t: Test, file: string): { store: Store; memos: Required<SnapshotMemos>; sync: (primary: Primary, now?: Date) => Promise<number>; rows: () => Row[] } {
  let clock = Date.parse('2026-12-01T00:00:00Z');
  const store = openStore(file, { now: () => new Date((clock += 1000)) });
  t.teardown(() => store.close());
  const memos = { yaml: new YamlMemo(), signatures: new SignatureCheckMemo() };
  return {
    store,
    memos,
    sync: async (primary, now = new Date()) => {
      await storeSnapshot(store, await primary.archive(), 'http://primary.test/', now, memos);
      return memos.signatures.verified;
    },
    rows: () => {
      const db = new Database(store.file, { readonly: true });
      try {
        return db.prepare<[], Row>('SELECT id, digest, idx, key_fingerprint, created_at FROM signatures ORDER BY digest, idx').all();
      } finally {
        db.close();
      }
    },
  };
}

t.test('a sync verifies and stores only the signatures that changed since the last one', async (t) => {
  const key = await jsKey({ name: 'primary' });
  const fingerprint = (await describePublicKey(key.publicKey.armor())).fingerprint;
  const dir = t.testdir({});
  const p = await Primary.signed(t, path.join(dir, 'primary.db'), 5, 'primary', key);
  const r = replica(t, path.join(dir, 'replica.db'));

  t.equal(await r.sync(p), 5, 'the first sync verifies all five signatures');
  const first = r.rows();
  t.equal(first.length, 5, 'and stores them');
  t.ok(first.every((row) => row.key_fingerprint === fingerprint && row.idx === 1), 'each as signature-1 by its verified key');

  t.equal(await r.sync(p), 0, 'the same snapshot again verifies none');
  t.same(r.rows(), first, 'and writes no row: ids and times are as they were');

  p.releases(6);
  await p.sign(5, key);
  t.equal(await r.sync(p), 1, 'a release more: only its signature is verified');
  t.equal(r.rows().length, 6, 'and stored');
  t.same(r.rows().filter((row) => row.digest !== digestOf(5)), first, 'the five stored before are untouched');

  const other = await jsKey({ name: 'other' });
  await p.trust('other', other);
  await p.sign(0, other);
  t.equal(await r.sync(p), 7, 'a key more: every signature is verified again, with the new keys');
  const two = r.rows().filter((row) => row.digest === digestOf(0));
  t.same(two.map((row) => row.idx), [1, 2], 'release 0 has two signatures');
  t.equal(two[0]!.id, first[0]!.id, 'its first is the row stored at the first sync');

  p.sql((db) => {
    db.prepare('DELETE FROM signatures WHERE digest = ? AND idx = 2').run(digestOf(0));
    db.prepare('DELETE FROM signing_keys WHERE name = ?').run('other');
  });
  t.equal(await r.sync(p), 6, 'the key gone again: verified again');
  t.same(r.rows().filter((row) => row.digest === digestOf(0)).map((row) => row.id), [first[0]!.id], 'the second signature is gone, the first stays');

  p.releases(5);
  p.sql((db) => db.prepare('DELETE FROM signatures WHERE digest = ?').run(digestOf(5)));
  t.equal(await r.sync(p), 0, 'a release and its signature dropped: nothing to verify');
  t.same(r.rows(), first, 'and the replica holds what it held after the first sync');
});

t.test('what a fresh check refuses, a sync refuses, verified or not at an earlier sync', async (t) => {
  // A key made an hour ago that expires two hours after it was made: valid now, expired three hours after it was made.
  const made = new Date(Date.now() - 3600_000);
  const expiring = await jsKey({ name: 'expiring', date: made, expiresInSeconds: 7200 });
  const dir = t.testdir({});
  const p = await Primary.signed(t, path.join(dir, 'primary.db'), 3, 'expiring', expiring, made);
  const r = replica(t, path.join(dir, 'replica.db'));
  t.equal(await r.sync(p), 3, 'verified while the key is valid');
  t.equal(await r.sync(p), 0, 'and known at the next sync');
  const later = new Date(made.getTime() + 3 * 3600_000);
  await t.rejects(r.sync(p, later), { code: 'KUS_ERR_INVALID_SIGNATURE', message: /expired/ }, 'once the key expired, the same snapshot is refused');
  t.equal(r.memos.signatures.verified, 3, 'because every signature was verified again');
  t.equal(r.store.signatures.count(), 3, 'and the last good snapshot stays');

  const key = await jsKey({ name: 'primary' });
  const q = await Primary.signed(t, path.join(dir, 'primary-2.db'), 2, 'primary', key);
  const s = replica(t, path.join(dir, 'replica-2.db'));
  t.equal(await s.sync(q), 2, 'a second primary\'s two signatures are verified');
  q.sql((db) => {
    const { bytes } = db.prepare<[string], { bytes: Buffer }>('SELECT bytes FROM signatures WHERE digest = ?').get(digestOf(0))!;
    bytes[bytes.length - 5]! ^= 0xff;
    db.prepare('UPDATE signatures SET bytes = ? WHERE digest = ?').run(bytes, digestOf(0));
  });
  await t.rejects(s.sync(q), { code: 'KUS_ERR_INVALID_SIGNATURE', message: /signature-1/ }, 'a damaged signature is refused');
  t.equal(s.memos.signatures.verified, 1, 'it was verified, as new bytes; the other was known');
  await t.rejects(s.sync(q), { code: 'KUS_ERR_INVALID_SIGNATURE' }, 'and refused again at the next sync');
  t.equal(s.memos.signatures.verified, 1, 'verified again: a refusal is not remembered');
});
