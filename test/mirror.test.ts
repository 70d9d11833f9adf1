// `kus mirror`: upstream's served graphs (shared/conformance/cincinnati-e2e), fetched from a static HTTP server on
// 127.0.0.1 or read from the saved files, become releases and edges; KUS then serves each channel and arch as the
// original (nodes, edges, conditional edges), payload repositories rewritten, digests kept.
import t, { type Test as Tap } from 'tap';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { ServedGraph } from '../src/graph/index.js';
import { buildApp } from '../src/server/app.js';
import { GraphCache } from '../src/services/graph-cache.js';
import { parseRewrite, rewritePayload } from '../src/services/mirror.js';
import { openStore } from '../src/store/index.js';
import { comparable, differences } from './helpers/compare-graphs.js';
import { runKusAsync } from './helpers/run-cli.js';
import { serveChild } from './helpers/serve-child.js';
import { e2eDir, sharedSkip } from './helpers/shared.js';

const skip = sharedSkip();
const CHANNELS_KEY = 'io.openshift.upgrades.graph.release.channels';
const UPSTREAM = 'quay.io/openshift-release-dev/ocp-release';
const MIRROR = 'registry.local/ocp4/release';
const REWRITE = `${UPSTREAM}=${MIRROR}`;

type Served = ServedGraph;

const files = skip ? [] : readdirSync(e2eDir).filter((f) => f.endsWith('_v1.json')).sort();
const cases = files.map((file) => {
  const [, channel, arch] = /^[0-9a-f]+_(.+)_([a-z0-9]+)_v1\.json$/.exec(file)!;
  return { file, channel: channel!, arch: arch!, path: path.join(e2eDir, file) };
});


/** Serves the saved documents at /api/upgrades_info/v1/graph?channel=&arch= as upstream did; counts requests. */
async function upstreamServer(t: { teardown(fn: () => unknown): void }): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${req.headers.accept} ${url.pathname}${url.search}`);
    const found = cases.find((c) => c.channel === url.searchParams.get('channel') && c.arch === url.searchParams.get('arch'));
    if (url.pathname !== '/api/upgrades_info/v1/graph' || !found) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"kind":"not_found","value":"x"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(readFileSync(found.path));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/upgrades_info/v1/graph`, requests };
}

/** The original as KUS should serve it after mirroring: payloads rewritten; channel labels compared separately. */
function expected(original: Served): Served {
  return { ...original, nodes: original.nodes.map((n) => ({ ...n, payload: rewritePayload(n.payload, [parseRewrite(REWRITE)]) })) };
}

function withoutChannels(g: Served): Served {
  return { ...g, nodes: g.nodes.map((n) => ({ ...n, metadata: Object.fromEntries(Object.entries(n.metadata).filter(([k]) => k !== CHANNELS_KEY)) })) };
}

function conditionalSet(g: Served): string[] {
  return g.conditionalEdges.flatMap((c) => c.edges.map((e) => `${e.from}->${e.to} [${c.risks.map((r) => JSON.stringify(r)).join(',')}]`)).sort();
}

/** Every channel and arch served from the store equals its original. */
async function checkServed(t: Tap, db: string, which: typeof cases): Promise<void> {
  const store = openStore(db);
  const cache = new GraphCache({ load: () => store.loadGraphInput(), logger: { info() {}, warn() {}, error() {} } });
  t.ok(cache.rebuild().ok, 'the mirrored store builds');
  const app = buildApp({ graphs: cache, logLevel: 'silent' });
  try {
    for (const c of which) {
      const res = await app.inject({ url: `/api/upgrades_info/v1/graph?channel=${c.channel}&arch=${c.arch}`, headers: { accept: 'application/json' } });
      t.equal(res.statusCode, 200, `${c.channel}/${c.arch} served`);
      const served = res.json() as Served;
      const original = expected(JSON.parse(readFileSync(c.path, 'utf8')) as Served);
      t.equal(served.nodes.length, original.nodes.length, `${c.channel}/${c.arch}: ${original.nodes.length} nodes`);
      t.same(differences(comparable(withoutChannels(served)), comparable(withoutChannels(original))), [], `${c.channel}/${c.arch}: nodes (payload rewritten, metadata) and edges equal`);
      t.same(conditionalSet(served), conditionalSet(original), `${c.channel}/${c.arch}: conditional edges and risks equal`);
      t.ok(served.nodes.every((n) => n.metadata[CHANNELS_KEY]!.split(',').includes(c.channel)), `${c.channel}/${c.arch}: every node is in ${c.channel}`);
      t.ok(served.nodes.every((n) => n.payload.startsWith(`${MIRROR}@sha256:`)), `${c.channel}/${c.arch}: every payload is on the mirror`);
    }
  } finally {
    await app.close();
    store.close();
  }
}

t.test('rewrite rules: FROM=TO repository prefixes, longest match on "/" boundaries, digest kept', async (t) => {
  const rules = ['quay.io/openshift-release-dev=mirror.local/ocp', 'quay.io/openshift-release-dev/ocp-release=mirror.local/release'].map(parseRewrite);
  const digest = `@sha256:${'a'.repeat(64)}`;
  t.equal(rewritePayload(`quay.io/openshift-release-dev/ocp-release${digest}`, rules), `mirror.local/release${digest}`, 'longest prefix wins');
  t.equal(rewritePayload(`quay.io/openshift-release-dev/ocp-v4.0-art-dev${digest}`, rules), `mirror.local/ocp/ocp-v4.0-art-dev${digest}`, 'namespace prefix');
  t.equal(rewritePayload(`quay.io/openshift-release-devx/r${digest}`, rules), `quay.io/openshift-release-devx/r${digest}`, 'not a "/" boundary: kept');
  t.equal(rewritePayload(`other.io/x${digest}`, rules), `other.io/x${digest}`, 'no rule: kept');
  for (const bad of ['quay.io/x', 'quay.io/x=', '=b.io/y', 'quay.io/x:tag=b.io/y', 'a.io/x=b.io/y@sha256:00', 'Quay.io/x=b.io/y']) {
    t.throws(() => parseRewrite(bad), { code: 'KUS_ERR_BAD_REQUEST' }, `refused: ${bad}`);
  }
});

t.test('kus mirror --from URL: each upstream graph, served back equal with payloads rewritten', { skip, timeout: 600_000 }, async (t) => {
  t.ok(cases.length >= 7, 'the shared e2e documents are present');
  const upstream = await upstreamServer(t);
  const dir = t.testdir({});
  for (const c of cases) {
    const db = path.join(dir, `${c.channel}-${c.arch}.db`);
    const r = await runKusAsync(['mirror', '--from', upstream.url, '--channel', c.channel, '--arch', c.arch, '--rewrite', REWRITE, '--db', db]);
    t.equal(r.status, 0, `${c.file}: exit 0 ${r.stderr}`);
    t.match(r.stdout, new RegExp(`mirrored ${upstream.url.replace(/[.?]/g, '\\$&')}\\?channel=${c.channel}&arch=${c.arch} into store .* as ${c.channel} \\(${c.arch}\\)`), 'says what it did');
    await checkServed(t, db, [c]);
  }
  t.ok(upstream.requests.every((r) => r.startsWith('application/json /api/upgrades_info/v1/graph?channel=')), 'asked like a cluster: Accept application/json, channel and arch');
  const missing = await runKusAsync(['mirror', '--from', upstream.url, '--channel', 'stable-9.9', '--arch', 'amd64', '--db', path.join(dir, 'x.db')]);
  t.equal(missing.status, 1);
  t.match(missing.stderr, /^KUS_ERR_UPSTREAM: ".*channel=stable-9\.9&arch=amd64" answered 404/m, 'an upstream error names the URL and status');
});

t.test('kus mirror --from FILE: all documents into one store; idempotent; conflicts and wrong channels change nothing', { skip, timeout: 600_000 }, async (t) => {
  const dir = t.testdir({});
  const db = path.join(dir, 'kus.db');
  for (const c of cases) {
    const r = await runKusAsync(['mirror', '--from', c.path, '--channel', c.channel, '--arch', c.arch, '--rewrite', REWRITE, '--db', db, '--json']);
    t.equal(r.status, 0, `${c.file}: ${r.stderr}`);
    const report = JSON.parse(r.stdout) as { added: number; rewritten: number };
    t.ok(report.rewritten > 0, `${c.file}: payloads rewritten`);
  }
  await checkServed(t, db, cases);

  const auditRows = (): number => {
    const store = openStore(db);
    try {
      return store.audit.list(1000).filter((a) => a.action === 'graph.mirror').length;
    } finally {
      store.close();
    }
  };
  t.equal(auditRows(), cases.length, 'one audit row per mirror');
  const c = cases.find((x) => x.channel === 'stable-4.9' && x.arch === 'amd64')!;
  const again = await runKusAsync(['mirror', '--from', c.path, '--channel', c.channel, '--arch', c.arch, '--rewrite', REWRITE, '--db', db]);
  t.equal(again.status, 0);
  t.match(again.stdout, /^nothing new in /, 'the same document again changes nothing');
  t.equal(auditRows(), cases.length, 'and is not audited');

  // Another digest for a stored version: refused, nothing written.
  const doc = JSON.parse(readFileSync(c.path, 'utf8')) as Served;
  const victim = doc.nodes[3]!;
  victim.payload = victim.payload.replace(/@sha256:[0-9a-f]{64}$/, `@sha256:${'e'.repeat(64)}`);
  delete victim.metadata['io.openshift.upgrades.graph.release.manifestref'];
  doc.nodes.push({ version: '4.99.0', payload: `${UPSTREAM}@sha256:${'f'.repeat(64)}`, metadata: { [CHANNELS_KEY]: 'stable-4.9' } });
  const tampered = path.join(dir, 'tampered.json');
  writeFileSync(tampered, JSON.stringify(doc));
  const conflict = await runKusAsync(['mirror', '--from', tampered, '--channel', 'stable-4.9', '--arch', 'amd64', '--db', db]);
  t.equal(conflict.status, 1);
  t.match(conflict.stderr, new RegExp(`^KUS_ERR_DIGEST_MISMATCH: ${victim.version.replace(/\./g, '\\.')}\\+amd64 is stored with sha256:`, 'm'), 'names the release');
  const wrong = await runKusAsync(['mirror', '--from', c.path, '--channel', 'fast-4.1', '--arch', 'amd64', '--db', db]);
  t.equal(wrong.status, 1);
  t.match(wrong.stderr, /^KUS_ERR_RAW_GRAPH: the document from ".*" is not the graph of channel "fast-4\.1": its nodes are in .*stable-4\.9/m, 'a document of another channel is refused');
  const bad = await runKusAsync(['mirror', '--from', c.path, '--channel', 'stable-4.9', '--arch', 'amd64', '--rewrite', 'nonsense', '--db', db]);
  t.equal(bad.status, 1);
  t.match(bad.stderr, /^KUS_ERR_BAD_REQUEST: rewrite "nonsense"/m);
  await checkServed(t, db, cases);
  const store = openStore(db);
  t.notOk(store.loadGraphInput().releases.some((r) => r.version === '4.99.0'), 'the refused mirror added nothing');
  const refused = store.audit.list(1000).filter((a) => a.action === 'graph.mirror' && a.outcome === 'refused');
  store.close();
  t.equal(refused.length, 2, 'refusals are audited (digest conflict, wrong channel)');
});

t.test('kus mirror --server: the running server serves the mirrored channel when the command returns', { skip, timeout: 300_000 }, async (t) => {
  const dir = t.testdir({});
  const db = path.join(dir, 'kus.db');
  const token = await runKusAsync(['token', 'create', '--name', 'mirror', '--db', db, '--json']);
  t.equal(token.status, 0, token.stderr);
  const secret = (JSON.parse(token.stdout) as { token: string }).token;
  const server = await serveChild(t, ['--db', db]);
  const c = cases.find((x) => x.channel === 'stable-4.8' && x.arch === 's390x')!;
  const r = await runKusAsync(['mirror', '--from', c.path, '--channel', c.channel, '--arch', c.arch, '--rewrite', REWRITE, '--server', server.url, '--token', secret]);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, new RegExp(`^mirrored .* into server "${server.url}"`), 'through the admin API');
  const res = await fetch(`${server.url}/api/upgrades_info/graph?channel=${c.channel}&arch=${c.arch}`, { headers: { accept: 'application/json' } });
  const served = (await res.json()) as Served;
  const original = expected(JSON.parse(readFileSync(c.path, 'utf8')) as Served);
  t.same(differences(comparable(withoutChannels(served)), comparable(withoutChannels(original))), [], 'served at once, equal to the original');
  t.same(conditionalSet(served), conditionalSet(original), 'conditional edges equal');
  const unauth = await runKusAsync(['mirror', '--from', c.path, '--channel', c.channel, '--arch', c.arch, '--server', server.url, '--token', 'kus_wrong']);
  t.equal(unauth.status, 1);
  t.match(unauth.stderr, /^KUS_ERR_UNAUTHORIZED/m);
});
