// A replica's sync time on the store as a vendor has it, a signature per release, beside the same store unsigned
// (issue 9 item 2): a sync carries every signature, and a replica verifies and stores them. No graph load: this is the
// sync's own cost, the primary on the load CPU and the replica on the server CPU, as in the replica section.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { waitQuiet } from './cpu.js';
import { freePort } from './http.js';
import { copyStore, startKus } from './kus.js';
import { Publisher, seen, sequentialPublishes, VisibilityWatcher } from './publishing.js';

const PASSPHRASE = 'kus-bench-signing';

/**
 * Signs every release of the store at `db` with a new RSA-3072 key (what `kus key generate` makes), in this process
 * through KUS's own modules: `kus release sign` per version would start a process for each of ~1,600 versions.
 */
async function signEveryRelease(repoRoot, db) {
  const dist = (rel) => import(pathToFileURL(path.join(repoRoot, 'dist', rel)).href);
  execFileSync(process.execPath, ['dist/cli/main.js', 'key', 'generate', '--db', db, '--name', 'bench', '--email', 'bench@kus.invalid'],
    { cwd: repoRoot, env: { ...process.env, KUS_SIGNING_PASSPHRASE: PASSPHRASE }, stdio: 'ignore' });
  const { openStore } = await dist('store/index.js');
  const { claimText, signContent, unlockPrivateKey } = await dist('signatures/index.js');
  const { payloadRepository } = await dist('services/signing.js');
  const store = openStore(db);
  try {
    const key = store.signingKeys.list()[0];
    const privateKey = await unlockPrivateKey(key.privateKey, PASSPHRASE, key.name);
    const now = new Date();
    const made = [];
    for (const r of store.loadGraphInput().releases) {
      if (r.digest === null) continue;
      const claim = claimText({ digest: r.digest, reference: payloadRepository(r.payload), creator: 'kus bench', timestamp: now.getTime() / 1000 });
      made.push({ digest: r.digest, bytes: await signContent(Buffer.from(claim), privateKey, now), keyFingerprint: key.fingerprint, source: 'signed' });
    }
    store.transaction(() => { for (const s of made) store.signatures.append(s); });
    return made.length;
  } finally {
    store.close();
  }
}

/** Syncs of one replica of a copy of `pristine`: its first (start → showing the primary's release), then `count` publishes one at a time. */
async function replicaSyncs({ children, repoRoot, dir, pristine, token, pin, name, signed, count }) {
  const primaryDb = path.join(dir, `${name}-primary.db`);
  copyStore(pristine, primaryDb);
  const signatures = signed ? await signEveryRelease(repoRoot, primaryDb) : 0;
  const primary = await startKus({ children, repoRoot, db: primaryDb, port: await freePort(), logFile: path.join(dir, `${name}-primary.log`), cpu: pin?.load ?? null });
  const publisher = new Publisher(primary.base, token);
  let replica;
  let watcher;
  try {
    await publisher.createChannel();
    const first = await publisher.publish();
    const logFile = path.join(dir, `${name}-replica.log`);
    const started = performance.now();
    replica = await startKus({
      children, repoRoot, db: path.join(dir, `${name}-replica.db`), port: await freePort(), logFile, cpu: pin?.server ?? null,
      serveArgs: ['--follow', primary.base, '--follow-interval', '1'],
    });
    watcher = new VisibilityWatcher(replica.base);
    if ((await watcher.wait(first.version, started, 300_000)) === null) throw new Error(`[${name}] the replica did not show ${first.version} within 5 minutes`);
    const firstSyncMs = performance.now() - started;
    await waitQuiet(replica.child.pid);
    const { visibleMs } = await sequentialPublishes(publisher, watcher, count);
    // Each sync's log line says how many signatures it verified; the first sync's is every one.
    const verified = fs.readFileSync(logFile, 'utf8').split('\n').filter((l) => l.includes('swapped in'))
      .map((l) => JSON.parse(l).verifiedSignatures).filter((n) => typeof n === 'number');
    console.log(`[signed replica] ${name}: ${signatures} signatures; first sync ${firstSyncMs.toFixed(0)} ms; ` +
      `then POST → visible on the replica ${visibleMs.map((v) => (v === null ? 'never' : v.toFixed(0))).join('/')} ms; signatures verified per sync ${verified.join('/')}`);
    return { signatures, firstSyncMs, syncMs: seen(visibleMs), verifiedPerSync: verified };
  } finally {
    publisher.close();
    await watcher?.close();
    if (replica) await children.stop(replica.child);
    await children.stop(primary.child);
  }
}

export async function measureSignedReplica({ children, repoRoot, dir, pristine, token, pin, count = 5 }) {
  const unsigned = await replicaSyncs({ children, repoRoot, dir, pristine, token, pin, name: 'unsigned', signed: false, count });
  const signed = await replicaSyncs({ children, repoRoot, dir, pristine, token, pin, name: 'signed', signed: true, count });
  return { unsigned, signed };
}
