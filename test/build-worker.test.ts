// The build worker: a real `kus serve` (in this process, on 127.0.0.1) builds every write off the serving thread.
// A graph request is answered while a write's build runs; the write is visible when its answer arrives; the served
// bytes equal an in-thread build of the same store; a refused write leaves the served graph as it was.
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { setImmediate as tick } from 'node:timers/promises';
import t, { type Test } from 'tap';
import { loadConfig } from '../src/config/index.js';
import type { ChannelDoc, ConditionalEdgeDoc, Release } from '../src/graph/index.js';
import { startServer } from '../src/compose/index.js';
import { graphDataFiles } from '../src/graph-data/index.js';
import { GraphBuilder } from '../src/services/graph-builder.js';
import { buildGraphDataArchive, buildHere } from '../src/services/graph-data-archive.js';
import { COLLECT_AFTER_MS } from '../src/services/graph-worker.js';
import { REHEARSALS } from '../src/services/publish-rehearsal.js';
import { GraphCache, Variant } from '../src/services/graph-cache.js';
import { SigningKeys } from '../src/services/keys.js';
import { Publisher } from '../src/services/publisher.js';
import { Signing } from '../src/services/signing.js';
import { Tokens } from '../src/services/tokens.js';
import { openStore } from '../src/store/index.js';
import { readTar, type TarFile } from '../src/tar/index.js';
import { until } from './helpers/until.js';
import { tempTree } from './helpers/temp-tree.js';

const megabytes = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);

const silent = { info() {}, warn() {}, error() {} };
const ARCHES = ['amd64', 'arm64', 's390x', 'ppc64le'];
const digest = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;

/**
 * A store large enough that a build takes a visible while (≈2,700 releases, 40 channels, 600 risks with anchored
 * version alternations), written straight through the store (no YAML), so the test spends its time serving.
 */
function bigStore(file: string): void {
  const releases: Release[] = [];
  const channels: ChannelDoc[] = [];
  const conditionalEdges: ConditionalEdgeDoc[] = [];
  let n = 0;
  for (let minor = 1; minor <= 10; minor++) {
    const zs = Array.from({ length: 68 }, (_, z) => `4.${minor}.${z}`);
    for (const arch of ARCHES) {
      zs.forEach((version, z) => {
        const previous = zs.slice(Math.max(0, z - 25), z);
        if (minor > 1) previous.push(...Array.from({ length: 10 }, (_, k) => `4.${minor - 1}.${58 + k}`));
        releases.push({ version, arch, payload: `quay.example/kylin/release@${digest(++n)}`, digest: digest(n), metadata: { url: `https://docs.example/${version}` }, previous, next: [] });
      });
    }
    for (const name of ['candidate', 'fast', 'stable', 'eus']) channels.push({ file: `${name}-4.${minor}.yaml`, name: `${name}-4.${minor}`, versions: zs });
    for (let z = 8; z < 68; z++) {
      const from = `^4[.]${minor}[.](${Array.from({ length: 6 }, (_, k) => z - 6 + k).join('|')})([+].*)?$`;
      conditionalEdges.push({
        file: `4.${minor}.${z}-risk.yaml`, to: `4.${minor}.${z}`, from,
        risk: { url: `https://docs.example/kb/${minor}-${z}`, name: `Risk${minor}x${z}`, message: `Risk ${minor}.${z}`, matchingRules: [{ type: 'Always' }] },
      });
    }
  }
  const store = openStore(file);
  store.replaceAll({ releases, graphData: { schemaVersion: '1.0.0', rawMetadata: [], blockedEdges: [], conditionalEdges, channels } });
  store.close();
}

/** `kus serve` in this process on a bigStore, with an admin token. */
async function bigServer(t: Test): Promise<{ file: string; server: Awaited<ReturnType<typeof startServer>>; token: string }> {
  const file = path.join(tempTree(t), 'kus.db');
  bigStore(file);
  const store = openStore(file);
  const token = new Tokens({ store }).create({ name: 'setup' }, 'tester').token;
  store.close();
  const server = await startServer(loadConfig({ db: file, host: '127.0.0.1', port: '0', logLevel: 'silent' }));
  t.teardown(() => server.close());
  return { file, server, token };
}

/**
 * Graph requests sent one after another while the server's worker has work and `isSettled` is false: how many were
 * answered meanwhile, and every status seen.
 */
async function graphWhileBusy(server: Awaited<ReturnType<typeof startServer>>, channel: string, isSettled: () => boolean): Promise<{ answered: number; statuses: number[] }> {
  let answered = 0;
  const statuses = new Set<number>();
  while (server.builder.busy && !isSettled()) {
    const res = await fetch(`${server.url}/api/upgrades_info/graph?channel=${channel}&arch=amd64`, { headers: { accept: 'application/json' } });
    statuses.add(res.status);
    await res.arrayBuffer();
    if (server.builder.busy && !isSettled()) answered++;
  }
  return { answered, statuses: [...statuses] };
}

/**
 * Sends `request` and, while the server's worker has it, graph requests: its answer, and how many graph requests were
 * answered meanwhile (every one with 200, checked here).
 */
async function whileWorkerHas(t: Test, server: Awaited<ReturnType<typeof startServer>>, what: string, request: () => Promise<Response>): Promise<{ response: Response; answered: number }> {
  let settled = false;
  const pending = request().finally(() => (settled = true));
  while (!server.builder.busy && !settled) await tick();
  t.notOk(settled, `the worker took the ${what} before it was answered`);
  const during = await graphWhileBusy(server, 'stable-4.9', () => settled);
  t.same(during.statuses, [200], 'every graph request meanwhile was answered 200');
  return { response: await pending, answered: during.answered };
}

/** The server's bytes and ETags for each (channel, arch) are those an in-thread build of its store gives. */
function sameAsInThread(t: Test, server: Awaited<ReturnType<typeof startServer>>, file: string, pairs: ReadonlyArray<readonly [string, string]>): void {
  const check = openStore(file);
  t.teardown(() => check.close());
  const local = new GraphCache({ load: () => check.loadGraphInput(), logger: silent, warmUp: false });
  t.equal(local.rebuild().ok, true);
  for (const [channel, arch] of pairs) {
    const served = server.graphs.lookup(channel, arch);
    const expected = local.lookup(channel, arch);
    t.ok(served.plain.equals(expected.plain), `${channel}/${arch}: same bytes as an in-thread build`);
    t.equal(served.etag(Variant.VndGzip), expected.etag(Variant.VndGzip), `${channel}/${arch}: same ETag`);
  }
}

t.test('kus serve builds in the worker: graph requests are answered while a write builds', { timeout: 240_000 }, async (t) => {
  const { file, server, token } = await bigServer(t);
  t.ok(server.graphs.ready, 'the first build (in the worker) made the server ready');

  const graphUrl = (channel: string): string => `${server.url}/api/upgrades_info/graph?channel=${channel}&arch=amd64`;
  const admin = { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' };
  const before = await fetch(graphUrl('stable-4.10'), { headers: { accept: 'application/json' } });
  t.equal(before.status, 200);
  const etagBefore = before.headers.get('etag');
  await before.arrayBuffer();

  // A publish into stable-4.10: the worker builds and renders the whole graph; meanwhile this thread keeps serving.
  let settled = false;
  const post = fetch(`${server.url}/api/admin/v1/releases`, {
    method: 'POST', headers: admin,
    body: JSON.stringify({ version: '4.10.68', arch: 'amd64', payload: `quay.example/kylin/release@${digest(99_999)}`, previous: ['4.10.67'], channels: ['stable-4.10'] }),
  }).finally(() => (settled = true));
  while (!server.builder.busy) {
    t.notOk(settled, 'the write is not answered before its build starts');
    await tick();
  }
  const during = await graphWhileBusy(server, 'stable-4.9', () => settled);
  t.same(during.statuses, [200], 'every graph request meanwhile was answered 200');
  t.ok(during.answered > 0, `graph requests were answered while the write was building (${during.answered})`);

  const written = await post;
  t.equal(written.status, 200, 'the write succeeded');
  const after = await fetch(graphUrl('stable-4.10'), { headers: { accept: 'application/json' } });
  const graph = (await after.json()) as { nodes: Array<{ version: string }> };
  t.ok(graph.nodes.some((node) => node.version === '4.10.68'), 'the write is in the served graph when its answer arrives');
  t.not(after.headers.get('etag'), etagBefore, 'the changed body has a new ETag');

  // The worker's bytes and ETags are those an in-thread build of the same store gives.
  sameAsInThread(t, server, file, [['stable-4.10', 'amd64'], ['eus-4.3', 's390x'], ['candidate-4.1', 'ppc64le']]);
  t.equal(server.graphs.lookup('stable-4.9', 'amd64'), server.graphs.lookup('stable-4.9', 'amd64'), 'lookups are stable');

  // A write whose build fails (a cycle) is refused with its code; nothing is stored and the served graph stays.
  const served = server.graphs.snapshot;
  const refused = await fetch(`${server.url}/api/admin/v1/releases`, {
    method: 'POST', headers: admin,
    body: JSON.stringify({ version: '4.10.69', arch: 'amd64', payload: `quay.example/kylin/release@${digest(99_998)}`, previous: ['4.10.68'], next: ['4.10.68'] }),
  });
  t.equal(refused.status, 409);
  const refusal = await refused.json();
  t.match(refusal, { code: 'KUS_ERR_CYCLE' });
  t.equal(server.graphs.snapshot, served, 'the served generation is the same object');
  const ready = await fetch(`${server.url}/readyz`);
  t.equal(ready.status, 200, 'still ready');
  await ready.arrayBuffer();
});

t.test('a primary\'s build worker rehearses publishes once after its first build; nothing is stored or served, and the next publish builds as before', { timeout: 240_000 }, async (t) => {
  const { file, server, token } = await bigServer(t);
  await until('the worker rehearses', 120_000, async () => server.builder.lastRehearsal !== undefined, 10);
  const rehearsal = server.builder.lastRehearsal!;
  t.equal(rehearsal.error, undefined, 'no step of the rehearsal threw');
  t.equal(rehearsal.publishes, REHEARSALS, `it rehearsed ${REHEARSALS} publishes`);

  const store = openStore(file);
  t.teardown(() => store.close());
  t.equal(store.releases.count(), 2720, 'no release was stored');
  t.notOk(store.channels.list().some((c) => c.versions.some((v) => v.includes('rehearsal'))), 'no channel lists a rehearsed version');
  t.same(store.audit.list(1000).filter((e) => e.action.startsWith('release.') || e.action.startsWith('channel.')), [], 'no release or channel write was audited');
  // It rehearsed on the newest release of the largest architecture (4.10.67+amd64) in the first channel listing it.
  const res = await fetch(`${server.url}/api/upgrades_info/graph?channel=candidate-4.10&arch=amd64`, { headers: { accept: 'application/json' } });
  const body = await res.text();
  t.ok(body.includes('"4.10.67"') && !body.includes('rehearsal'), 'the channel it rehearsed in serves no rehearsed release');
  sameAsInThread(t, server, file, [['candidate-4.10', 'amd64'], ['stable-4.9', 'arm64']]);

  const post = await fetch(`${server.url}/api/admin/v1/releases`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ version: '4.10.68', arch: 'amd64', payload: `quay.example/kylin/release@${digest(99_997)}`, previous: ['4.10.67'], channels: ['candidate-4.10'] }),
  });
  t.equal(post.status, 200, 'a publish after the rehearsal succeeds');
  await post.arrayBuffer();
  sameAsInThread(t, server, file, [['candidate-4.10', 'amd64'], ['fast-4.10', 'amd64'], ['stable-4.9', 'arm64']]);
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.equal(server.builder.lastRehearsal, rehearsal, 'the worker rehearsed only once');
});

t.test('kus serve makes signature reports in the worker: graph requests are answered meanwhile', { timeout: 240_000 }, async (t) => {
  // A report builds the whole graph and checks every signature it reaches: on the serving thread, one at upstream
  // scale held every graph request up to 2 s.
  const { file, server, token } = await bigServer(t);
  const verify = (query: string): Promise<Response> =>
    fetch(`${server.url}/api/admin/v1/signatures/verify?${query}`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });

  const report = await whileWorkerHas(t, server, 'report', () => verify('channel=stable-4.10'));
  t.ok(report.answered > 0, `graph requests were answered while the worker made the report (${report.answered})`);

  // The worker's reports are those this thread makes of the same store; a refusal keeps its code.
  const check = openStore(file);
  t.teardown(() => check.close());
  const none = (): undefined => undefined;
  const local = new Signing({ store: check, keys: new SigningKeys({ store: check, passphrase: none }), releases: (v) => new Publisher({ store: check, rebuild: none }).getRelease(v), passphrase: none });
  const channelReport = (await report.response.json()) as { value: unknown };
  t.same(channelReport.value, await local.verifyChannels('stable-4.10'), 'the channel report');
  t.ok((await local.verifyChannels('stable-4.10')).channels.length > 0, 'which covers the channel');
  const versionReport = (await (await verify('version=4.10.5')).json()) as { value: unknown };
  t.same(versionReport.value, await local.verifyRelease('4.10.5'), 'the release report');
  const unknown = await verify('version=4.10.99');
  t.equal(unknown.status, 404);
  t.match(await unknown.json(), { code: 'KUS_ERR_NOT_FOUND' }, 'an unknown version is refused with its code, from the worker');
});

t.test('kus serve lists releases in the worker: graph requests are answered meanwhile', { timeout: 240_000 }, async (t) => {
  // Listing and serializing every release on the serving thread took ~420 ms at upstream scale (3.6 MB of JSON).
  const { file, server, token } = await bigServer(t);
  const list = (query: string): Promise<Response> =>
    fetch(`${server.url}/api/admin/v1/releases${query}`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });

  const { response: res } = await whileWorkerHas(t, server, 'list', () => list(''));

  // The bytes are those of the answer made here, with the envelope of every admin read.
  const check = openStore(file);
  t.teardown(() => check.close());
  const local = new Publisher({ store: check, rebuild: () => undefined });
  const answer = (filter: { arch?: string; channel?: string }): string => JSON.stringify({ value: local.listReleases(filter), warnings: [], changed: false });
  t.match(res.headers.get('content-type'), /^application\/json/);
  t.equal(await res.text(), answer({}), 'every release');
  t.equal(local.listReleases().length, 2720, 'of the whole store');
  t.equal(await (await list('?arch=s390x')).text(), answer({ arch: 's390x' }), 'one architecture');
  t.equal(await (await list('?channel=eus-4.3&arch=arm64')).text(), answer({ channel: 'eus-4.3', arch: 'arm64' }), 'one channel');
  t.equal(local.listReleases({ channel: 'eus-4.3', arch: 'arm64' }).length, 68);
  const unknown = await list('?channel=eus-9.9');
  t.equal(unknown.status, 404);
  t.match(await unknown.json(), { code: 'KUS_ERR_NOT_FOUND', message: /channel "eus-9\.9" does not exist/ }, 'an unknown channel is refused with its code, from the worker');
});

t.test('an idle build worker first lets go of its builds, then gives back its free memory, then exits', async (t) => {
  const file = path.join(tempTree(t), 'kus.db');
  const store = openStore(file);
  store.close();
  const graphs = new GraphCache({ load: () => ({ releases: [] }), logger: silent });
  const builder = new GraphBuilder({ storeFile: file, graphs, logger: silent, idleMs: 20, releaseMs: 300, exitMs: 1200 });
  t.teardown(() => builder.close());
  // The release's collection is V8's experimental heap query; the worker must keep its warning out of the server's output.
  const written: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    written.push(String(chunk));
    return (write as (...args: unknown[]) => boolean).call(process.stderr, chunk, ...rest);
  }) as typeof process.stderr.write;
  t.teardown(() => { process.stderr.write = write; });
  t.equal((await builder.rebuild()).ok, true);
  const thread = builder.threadId;
  await until('the idle worker compacts', 5000, async () => builder.lastCompaction !== undefined, 10);
  t.equal(builder.lastRehearsal, undefined, 'a builder not asked to rehearse publishes (a replica\'s) did not');
  t.equal(builder.lastRelease, undefined, 'it first let go of its builds, and gave nothing back yet');
  t.equal(builder.threadId, thread, 'and kept its thread');
  await until('the compacted worker gives back its free memory', 5000, async () => builder.lastRelease !== undefined, 10);
  const released = builder.lastRelease!;
  t.equal(builder.threadId, thread, 'then gave back its free memory, in the same thread');
  t.ok(released.usedAfter <= released.usedBefore + 2 ** 20, `its heap holds no more than before (${megabytes(released.usedBefore)} → ${megabytes(released.usedAfter)} MB used)`);
  t.ok(released.committedAfter < released.committedBefore, `and V8 keeps less of it committed (${megabytes(released.committedBefore)} → ${megabytes(released.committedAfter)} MB)`);
  t.ok(released.rssAfter > 0 && released.rssBefore > 0, 'the RSS it reports is read');
  await until('the released worker exits', 5000, async () => !builder.running, 10);
  t.notOk(builder.running, 'then exited');
  t.notMatch(written.join(''), /ExperimentalWarning|queryObjects/, 'no warning reached stderr');
  t.equal((await builder.rebuild()).ok, true, 'a new worker answers the next request');
  t.not(builder.threadId, thread, 'in a thread of its own');
});

t.test('a request after a release starts the idle steps over; a step not due before the worker exits is skipped', async (t) => {
  const file = path.join(tempTree(t), 'kus.db');
  openStore(file).close();
  const graphs = new GraphCache({ load: () => ({ releases: [] }), logger: silent });
  const builder = new GraphBuilder({ storeFile: file, graphs, logger: silent, idleMs: 20, releaseMs: 60, exitMs: 60_000 });
  t.teardown(() => builder.close());
  t.equal((await builder.rebuild()).ok, true);
  await until('the idle worker gives back its free memory', 5000, async () => builder.lastRelease !== undefined, 10);
  const thread = builder.threadId;
  const [compaction, release] = [builder.lastCompaction, builder.lastRelease];
  t.equal((await builder.rebuild()).ok, true, 'a released worker answers the next request');
  t.equal(builder.threadId, thread, 'in the same thread: it kept its code');
  await until('it compacts again', 5000, async () => builder.lastCompaction !== compaction, 10);
  await until('and gives back its free memory again', 5000, async () => builder.lastRelease !== release, 10);
  t.not(builder.lastCompaction, compaction, 'after that request it compacted again');
  t.not(builder.lastRelease, release, 'and then released again');
  t.equal(builder.threadId, thread, 'still in the same thread');

  const late = new GraphBuilder({ storeFile: file, graphs, logger: silent, idleMs: 20, releaseMs: 5000, exitMs: 200 });
  t.teardown(() => late.close());
  t.equal((await late.rebuild()).ok, true);
  await until('a worker whose release would come after its exit exits', 5000, async () => !late.running, 10);
  t.ok(late.lastCompaction, 'it compacted');
  t.equal(late.lastRelease, undefined, 'and exited without a release');
});

t.test('a replica\'s worker keeps the YAML it parsed when it lets go of its builds: the next sync parses what changed', async (t) => {
  const file = path.join(tempTree(t), 'replica.db');
  openStore(file).close();
  const graphs = new GraphCache({ load: () => ({ releases: [] }), logger: silent });
  const builder = new GraphBuilder({ storeFile: file, graphs, logger: silent, idleMs: 20, exitMs: 60_000 });
  t.teardown(() => builder.close());
  const version = (i: number): string => `1.0.${i}`;
  const releases = (count: number): Release[] => Array.from({ length: count }, (_, i) =>
    ({ version: version(i), arch: 'amd64', payload: `quay.example/kylin/release@${digest(i + 1)}`, digest: digest(i + 1), metadata: {}, previous: i ? [version(i - 1)] : [], next: [] }));
  const snapshot = (count: number): { files: TarFile[]; yaml: number } => {
    const files = graphDataFiles({
      data: { schemaVersion: '1.2.0', rawMetadata: [], blockedEdges: [], conditionalEdges: [], channels: [{ file: 'stable-1.0.yaml', name: 'stable-1.0', versions: releases(count).map((r) => r.version) }] },
      releases: releases(count),
    }).map((f) => ({ path: f.path, bytes: Buffer.from(f.text) }));
    return { files, yaml: files.filter((f) => f.path.endsWith('.yaml')).length };
  };
  const first = snapshot(30);
  t.equal((await builder.follow(await buildGraphDataArchive(first.files), 'http://primary.test/')).parsedFiles, first.yaml,
    `the first sync parses every YAML file (${first.yaml})`);
  await until('the idle worker compacts', 5000, async () => builder.lastCompaction !== undefined, 10);
  t.equal(builder.lastCompaction?.inputReads, 0, 'its server gave it no parts to stand in, so the compaction read nothing from the store (it used to read the whole input)');
  const thread = builder.threadId;
  const next = await builder.follow(await buildGraphDataArchive(snapshot(31).files), 'http://primary.test/');
  t.equal(builder.threadId, thread, 'the compacted worker made the next sync');
  t.equal(next.parsedFiles, 2, 'which parsed the new release and the channel that lists it, nothing else');
  const store = openStore(file);
  t.teardown(() => store.close());
  t.equal(store.releases.count(), 31, 'and stored the snapshot');
});

t.test('the build worker exits when idle and a new one serves the next request', async (t) => {
  const file = path.join(tempTree(t), 'kus.db');
  const store = openStore(file);
  store.close();
  const graphs = new GraphCache({ load: () => ({ releases: [] }), logger: silent });
  const builder = new GraphBuilder({ storeFile: file, graphs, logger: silent, exitMs: 20 });
  t.teardown(() => builder.close());
  t.equal((await builder.rebuild()).ok, true);
  t.ok(builder.running, 'a worker ran the rebuild');
  // Bounded wait: an idle worker that never exits fails here instead of hanging the test.
  for (let i = 0; i < 500 && builder.running; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  t.notOk(builder.running, 'the idle worker exited');
  t.equal((await builder.rebuild()).ok, true, 'a new worker answers the next request');
  t.equal(graphs.stats().builds, 2);
});

t.test('the build worker collects its heap after building, once writes pause', { timeout: 120_000 }, async (t) => {
  // A build's garbage stays in the worker's heap until V8 collects it, and V8 let it pile up to ~5× the live heap.
  const file = path.join(tempTree(t), 'kus.db');
  bigStore(file);
  const graphs = new GraphCache({ load: () => ({ releases: [] }), logger: silent });
  const builder = new GraphBuilder({ storeFile: file, graphs, logger: silent, idleMs: 600_000, exitMs: 1_200_000 });
  t.teardown(() => builder.close());
  t.equal((await builder.rebuild()).ok, true);
  await until('a collection after the first build', 10_000, async () => builder.collections.length === 1, 10);
  const first = builder.lastCollection!;
  // V8 often collects the build's garbage itself before the pause ends (in about half the runs on Node 24), so the
  // collection may find nothing left to free; what it must do is leave the heap at its live size, never above what it
  // found. The slack covers the few objects that survive from between the two readings.
  t.ok(first.usedAfter <= first.usedBefore + 2 ** 20,
    `it left only what the build keeps (${megabytes(first.usedBefore)} → ${megabytes(first.usedAfter)} MB)`);

  // Writes one after another share the collection after them, even when each grew the heap by 16 MB (how much a write
  // leaves depends on the young generation's size, which differs between Node versions): a collection run at once
  // would delay the next write, sent as soon as the last one is answered.
  const actor = { name: 'tester' };
  const writes = 6;
  for (let i = 0; i < writes; i++) {
    const release = { version: `4.10.${70 + i}`, arch: 'amd64', payload: `quay.example/kylin/release@${digest(90_000 + i)}`, previous: ['4.10.67'] };
    await builder.write('addRelease', [actor, release]);
  }
  await until('a collection after the writes', 10_000, async () => builder.collections.length > 1, 10);
  await new Promise((resolve) => setTimeout(resolve, 3 * COLLECT_AFTER_MS));
  const afterWrites = builder.collections.slice(1);
  t.ok(afterWrites.length >= 1 && afterWrites.length <= 2, `${writes} writes, collections after: ${afterWrites.join(', ')}`);
  t.ok(afterWrites.filter((after) => after === 'pause').length <= 1, 'at most one after a pause: the writes shared it');

  // A read builds nothing, and is not followed by one.
  await builder.read('listReleasesJson', [{}]);
  await new Promise((resolve) => setTimeout(resolve, 3 * COLLECT_AFTER_MS));
  t.equal(builder.collections.length, 1 + afterWrites.length, 'no collection after a read');
});

t.test('the worker\'s archives, made from the input its writes hold, equal a fresh build of the store: write after write, and after another connection wrote', async (t) => {
  const file = path.join(tempTree(t), 'kus.db');
  const other = openStore(file);
  t.teardown(() => other.close());
  const graphs = new GraphCache({ load: () => ({ releases: [] }), logger: silent });
  const builder = new GraphBuilder({ storeFile: file, graphs, logger: silent, idleMs: 600_000, exitMs: 1_200_000 });
  t.teardown(() => builder.close());
  const actor = { name: 'tester' };
  const fresh = async (): Promise<Buffer> => (await buildHere(other)).gzip;
  await builder.write('createChannel', [actor, 'stable-4.10']);
  for (let i = 0; i < 6; i++) {
    const release = { version: `4.10.${i}`, arch: 'amd64', payload: `quay.example/kylin/release@${digest(70_000 + i)}`, previous: i ? [`4.10.${i - 1}`] : [], channels: ['stable-4.10'] };
    await builder.write('addRelease', [actor, release]);
    if (i === 3) await builder.write('addRisk', [actor, { to: '4.10.3', from: '^4[.]10[.]2[+]', name: 'R', url: 'https://e.x/kb', message: 'm', matchingRules: [{ type: 'Always' }] }]);
    const archive = await builder.graphDataArchive();
    t.ok(archive.gzip.equals(await fresh()), `after write ${i + 1}: the archive as the store holds it (${archive.files} files)`);
  }
  // Behind the worker's back: the input it holds is no longer the store's, and the next archive must say so.
  other.releases.upsert({ version: '4.10.99', arch: 'amd64', payload: `quay.example/kylin/release@${digest(70_099)}`, digest: null, metadata: {}, previous: ['4.10.5'], next: [] });
  other.channels.appendVersion('stable-4.10.yaml', '4.10.99');
  const after = await builder.graphDataArchive();
  t.ok(after.gzip.equals(await fresh()), 'after another connection wrote: the archive has its release and channel entry');
  const { files } = await readTar(gunzipSync(after.gzip), 'archive');
  t.ok(files.some((f) => f.path === 'releases/4.10.99+amd64.yaml'), 'the other connection\'s release is in it');
});

t.test('a compacted worker keeps the texts of the input it holds: the archive after the next write writes only what changed', async (t) => {
  const file = path.join(tempTree(t), 'kus.db');
  const other = openStore(file);
  t.teardown(() => other.close());
  const graphs = new GraphCache({ load: () => ({ releases: [] }), logger: silent });
  const builder = new GraphBuilder({ storeFile: file, graphs, logger: silent, idleMs: 50, releaseMs: 600_000, exitMs: 1_200_000 });
  t.teardown(() => builder.close());
  const actor = { name: 'tester' };
  const release = (i: number) => ({ version: `4.11.${i}`, arch: 'amd64', payload: `quay.example/kylin/release@${digest(80_000 + i)}`, previous: i ? [`4.11.${i - 1}`] : [], channels: ['stable-4.11'] });
  await builder.write('createChannel', [actor, 'stable-4.11']);
  for (let i = 0; i < 20; i++) await builder.write('addRelease', [actor, release(i)]);
  const first = await builder.graphDataArchive();
  const yaml = (await readTar(gunzipSync(first.gzip), 'archive')).files.filter((f) => f.path.endsWith('.yaml')).length;
  t.equal(first.written, yaml, `the first archive writes every YAML file (${yaml} of its ${first.files} files)`);
  const thread = builder.threadId;
  await until('the idle worker compacts', 5000, async () => builder.lastCompaction !== undefined, 10);
  await builder.write('addRelease', [actor, release(20)]);
  t.equal(builder.threadId, thread, 'the compacted worker made the next write');
  const next = await builder.graphDataArchive();
  t.ok(next.gzip.equals((await buildHere(other)).gzip), 'the archive after it is the store\'s');
  t.equal(next.written, 2, 'and wrote the new release and its channel, nothing else (all of them when the compaction dropped the texts)');
});
