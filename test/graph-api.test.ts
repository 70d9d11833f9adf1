// The public graph API as a cluster sees it (graph-api.md §2–§7), plus health, metrics and OpenAPI, through inject.
import t, { type Test } from 'tap';
import { request as httpRequest } from 'node:http';
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { KusError } from '../src/errors/index.js';
import { buildGraph, GraphViews, serializeServed, type BuildInput, type ServedGraph } from '../src/graph/index.js';
import { buildApp } from '../src/server/app.js';
import { serverLoggerOptions } from '../src/server/logger.js';
import { EMPTY_GRAPH_BODY, GraphCache } from '../src/services/graph-cache.js';
import { workedGraphData, workedReleases } from './helpers/worked-example.js';

const PATHS = ['/api/upgrades_info/graph', '/api/upgrades_info/v1/graph', '/graph', '/v1/graph'];
const VND = 'application/vnd.redhat.cincinnati.v1+json';
const JSON_TYPE = 'application/json';
const STABLE = '?channel=stable-1.2&arch=amd64';

const silentLogger = { info() {}, warn() {}, error() {} };

function workedInput(): BuildInput {
  return { releases: workedReleases(), graphData: workedGraphData() };
}

/** An app over a cache built from `load`; `build: false` leaves the cache without a graph. */
async function makeApp(t: Test, load: () => BuildInput = workedInput, build = true): Promise<{ app: FastifyInstance; cache: GraphCache }> {
  const cache = new GraphCache({ load, logger: silentLogger });
  if (build) t.equal(cache.rebuild().ok, true, 'the graph builds');
  const app = buildApp({ graphs: cache, logLevel: 'silent' });
  t.teardown(() => app.close());
  await app.ready();
  return { app, cache };
}

function expectedBody(channel: string, arch: string): string {
  return serializeServed(new GraphViews(buildGraph(workedInput()).graph).render(channel, arch));
}

t.test('every path spelling serves the same bytes, the worked example of graph-semantics §9.4', async (t) => {
  const { app } = await makeApp(t);
  const bodies = new Set<string>();
  for (const url of PATHS) {
    const res = await app.inject({ url: url + STABLE, headers: { accept: JSON_TYPE } });
    t.equal(res.statusCode, 200, url);
    t.equal(res.headers['content-type'], JSON_TYPE, url);
    bodies.add(res.body);
  }
  t.equal(bodies.size, 1, 'all four paths answer identically');
  const body = [...bodies][0]!;
  t.equal(body, expectedBody('stable-1.2', 'amd64'), 'the bytes are the engine serialisation');
  const graph = JSON.parse(body) as ServedGraph;
  t.equal(graph.version, 1);
  t.same(graph.nodes.map((n) => n.version), ['1.1.1', '1.2.0', '1.2.1']);
  const pairs = graph.edges.map(([f, to]) => `${graph.nodes[f]!.version}->${graph.nodes[to]!.version}`).sort();
  t.same(pairs, ['1.1.1->1.2.0', '1.2.0->1.2.1']);
  t.same(graph.conditionalEdges.map((g) => ({ edges: g.edges, risks: g.risks.map((r) => r.name) })), [
    { edges: [{ from: '1.1.1', to: '1.2.1' }], risks: ['StorageDriverRisk', 'EarlyAdopterRisk'] },
  ]);
  t.notOk(body.includes('io.openshift.upgrades.graph.release.arch'), 'the arch key never reaches a client');
});

t.test('other rows of §9.4: arm64 and the default arch', async (t) => {
  const { app } = await makeApp(t);
  const arm = JSON.parse((await app.inject({ url: '/graph?channel=stable-1.2&arch=arm64' })).body) as ServedGraph;
  t.same(arm.nodes.map((n) => n.version), ['1.1.1', '1.2.0']);
  t.same(arm.conditionalEdges, []);
  const stable11 = await app.inject({ url: '/graph?channel=stable-1.1' });
  t.equal(stable11.body, expectedBody('stable-1.1', 'amd64'), 'arch defaults to amd64');
});

t.test('Accept negotiation follows the table of graph-api §5 exactly', async (t) => {
  const { app } = await makeApp(t);
  const ok: Array<[string | undefined, string]> = [
    [undefined, VND],
    [JSON_TYPE, JSON_TYPE],
    [VND, VND],
    ['*', JSON_TYPE],
    ['*/*', JSON_TYPE],
    ['application/*', JSON_TYPE],
  ];
  const plain = expectedBody('stable-1.2', 'amd64');
  for (const [accept, type] of ok) {
    const res = await app.inject({ url: `/graph${STABLE}`, headers: accept === undefined ? {} : { accept } });
    t.equal(res.statusCode, 200, `Accept ${String(accept)}`);
    t.equal(res.headers['content-type'], type, `Accept ${String(accept)} → ${type}`);
    t.equal(res.body, plain, `Accept ${String(accept)}: body with version 1`);
  }
  const refused = ['text/html', 'application/json, text/plain', 'application/json;q=0.9', '*/*;q=0.8', 'Application/JSON', '', ' application/json'];
  for (const accept of refused) {
    const res = await app.inject({ url: `/graph${STABLE}`, headers: { accept } });
    t.equal(res.statusCode, 406, `Accept ${JSON.stringify(accept)} is refused`);
    t.equal(res.headers['content-type'], JSON_TYPE);
    t.equal(res.body, '{"kind":"invalid_content_type","value":"invalid Content-Type requested"}');
  }
  const first = await app.inject({ url: '/graph', headers: { accept: 'text/html' } });
  t.equal(first.statusCode, 406, 'Accept is checked before the mandatory channel');
});

/** Sends two Accept header lines over a real socket (inject cannot); returns status and content type. */
function getWithAccepts(url: string, accepts: string[]): Promise<{ status: number; type: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { accept: accepts } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

t.test('only the first of several Accept headers counts, as upstream reads it', async (t) => {
  const { app } = await makeApp(t);
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  t.same(await getWithAccepts(`${base}/graph${STABLE}`, [JSON_TYPE, 'text/html']), { status: 200, type: JSON_TYPE });
  t.same(await getWithAccepts(`${base}/graph${STABLE}`, ['text/html', JSON_TYPE]), { status: 406, type: JSON_TYPE });
});

t.test('query parameters: mandatory channel, validation texts of §4, decoding, last value wins', async (t) => {
  const { app } = await makeApp(t);
  const cases: Array<[string, number, string]> = [
    ['', 400, '{"kind":"missing_params","value":"mandatory client parameters missing: channel"}'],
    ['?arch=amd64', 400, '{"kind":"missing_params","value":"mandatory client parameters missing: channel"}'],
    ['?channel', 400, String.raw`{"kind":"invalid_params","value":"invalid client parameters: channel '' does not match regex '^[0-9a-z\\-\\.]+$'"}`],
    ['?channel=', 400, String.raw`{"kind":"invalid_params","value":"invalid client parameters: channel '' does not match regex '^[0-9a-z\\-\\.]+$'"}`],
    ['?channel=Stable-1.2', 400, String.raw`{"kind":"invalid_params","value":"invalid client parameters: channel 'Stable-1.2' does not match regex '^[0-9a-z\\-\\.]+$'"}`],
    ['?channel=stable+1.2', 400, String.raw`{"kind":"invalid_params","value":"invalid client parameters: channel 'stable 1.2' does not match regex '^[0-9a-z\\-\\.]+$'"}`],
    ['?channel=stable-1.2&arch=x86_64', 400, `{"kind":"invalid_params","value":"invalid client parameters: arch 'x86_64' does not match regex '^[0-9a-z]+$'"}`],
    ['?channel=stable-1.2&arch=', 400, `{"kind":"invalid_params","value":"invalid client parameters: arch '' does not match regex '^[0-9a-z]+$'"}`],
    ['?channel=stable-1.2&arch', 400, `{"kind":"invalid_params","value":"invalid client parameters: arch '' does not match regex '^[0-9a-z]+$'"}`],
    ['?channel=stable-1.2&channel=BAD', 400, String.raw`{"kind":"invalid_params","value":"invalid client parameters: channel 'BAD' does not match regex '^[0-9a-z\\-\\.]+$'"}`],
    ['?channel=BAD!&arch=AMD', 400, String.raw`{"kind":"invalid_params","value":"invalid client parameters: channel 'BAD!' does not match regex '^[0-9a-z\\-\\.]+$'"}`],
  ];
  for (const [query, status, body] of cases) {
    const res = await app.inject({ url: `/api/upgrades_info/graph${query}`, headers: { accept: JSON_TYPE } });
    t.equal(res.statusCode, status, `${query || '(no query)'} → ${status}`);
    t.equal(res.headers['content-type'], JSON_TYPE);
    t.equal(res.body, body, `${query || '(no query)'} body`);
  }
  const plain = expectedBody('stable-1.2', 'amd64');
  const same = [
    '?channel=BAD!&channel=stable-1.2',
    '?channel=stable-1.2&arch=x86_64&arch=amd64',
    '?channel=stable%2D1%2E2',
    '?arch=amd64&channel=stable-1.2&id=01234567-89ab-cdef-0123-456789abcdef&version=1.1.1',
    '?channel=stable-1.2&foo=bar&content_type=text/html&Channel=Nope',
  ];
  for (const query of same) {
    const res = await app.inject({ url: `/graph${query}`, headers: { accept: JSON_TYPE } });
    t.equal(res.statusCode, 200, query);
    t.equal(res.body, plain, `${query} serves stable-1.2/amd64`);
  }
});

t.test('unknown channels and arches answer 200 with the empty graph', async (t) => {
  const { app } = await makeApp(t);
  for (const query of ['?channel=nope-1.0', '?channel=stable-1.2&arch=s390x', '?channel=nodash']) {
    const res = await app.inject({ url: `/graph${query}`, headers: { accept: JSON_TYPE } });
    t.equal(res.statusCode, 200, query);
    t.equal(res.body, EMPTY_GRAPH_BODY, query);
    t.equal(res.headers['cache-control'], 'no-cache');
  }
});

t.test('gzip when Accept-Encoding allows it, with its own ETag', async (t) => {
  const { app } = await makeApp(t);
  const plainRes = await app.inject({ url: `/graph${STABLE}`, headers: { accept: JSON_TYPE } });
  t.equal(plainRes.headers['content-encoding'], undefined, 'no Accept-Encoding: identity');
  for (const ae of ['gzip', 'gzip, deflate, br', 'br;q=1, gzip;q=0.5', '*', 'x-gzip']) {
    const res = await app.inject({ url: `/graph${STABLE}`, headers: { accept: JSON_TYPE, 'accept-encoding': ae } });
    t.equal(res.statusCode, 200);
    t.equal(res.headers['content-encoding'], 'gzip', `Accept-Encoding ${ae}`);
    t.equal(gunzipSync(res.rawPayload).toString('utf8'), plainRes.body, `${ae}: decompresses to the plain body`);
    t.not(res.headers.etag, plainRes.headers.etag, 'the gzip representation has a different ETag');
  }
  for (const ae of ['br', 'gzip;q=0', 'identity', '*;q=0', 'deflate, gzip;q=0, *']) {
    const res = await app.inject({ url: `/graph${STABLE}`, headers: { accept: JSON_TYPE, 'accept-encoding': ae } });
    t.equal(res.headers['content-encoding'], undefined, `Accept-Encoding ${ae}: identity`);
    t.equal(res.body, plainRes.body);
  }
});

t.test('ETag, If-None-Match and Cache-Control: clients revalidate and get 304', async (t) => {
  const { app } = await makeApp(t);
  const first = await app.inject({ url: `/graph${STABLE}`, headers: { accept: JSON_TYPE } });
  const etag = first.headers.etag as string;
  t.match(etag, /^"[A-Za-z0-9_-]+"$/, 'a strong ETag');
  t.equal(first.headers['cache-control'], 'no-cache');
  t.equal(first.headers.vary, 'Accept, Accept-Encoding, Origin');
  const vnd = await app.inject({ url: `/graph${STABLE}`, headers: { accept: VND } });
  t.not(vnd.headers.etag, etag, 'each media type has its own tag');
  const again = await app.inject({ url: `/graph${STABLE}`, headers: { accept: JSON_TYPE } });
  t.equal(again.headers.etag, etag, 'the tag is stable between requests');

  for (const inm of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
    const res = await app.inject({ url: `/graph${STABLE}`, headers: { accept: JSON_TYPE, 'if-none-match': inm } });
    t.equal(res.statusCode, 304, `If-None-Match: ${inm}`);
    t.equal(res.body, '', '304 has no body');
    t.equal(res.headers.etag, etag);
    t.equal(res.headers['cache-control'], 'no-cache');
  }
  const stale = await app.inject({ url: `/graph${STABLE}`, headers: { accept: JSON_TYPE, 'if-none-match': '"stale"' } });
  t.equal(stale.statusCode, 200, 'an old tag gets the body');
  const gzTag = await app.inject({ url: `/graph${STABLE}`, headers: { accept: JSON_TYPE, 'if-none-match': etag, 'accept-encoding': 'gzip' } });
  t.equal(gzTag.statusCode, 200, 'the identity tag does not validate the gzip representation');
  const other = await app.inject({ url: '/graph?channel=stable-1.1', headers: { accept: JSON_TYPE, 'if-none-match': etag } });
  t.equal(other.statusCode, 200, 'another channel has another tag');
});

t.test('a rebuild with a change is visible at once (new ETag, new body)', async (t) => {
  let input = workedInput();
  const { app, cache } = await makeApp(t, () => input);
  const before = await app.inject({ url: `/graph${STABLE}`, headers: { accept: JSON_TYPE } });
  const data = workedGraphData();
  data.channels = data.channels.map((c) => (c.name === 'stable-1.2' ? { ...c, versions: ['1.2.0'] } : c));
  input = { releases: workedReleases(), graphData: data };
  t.equal(cache.rebuild().ok, true);
  const after = await app.inject({ url: `/graph${STABLE}`, headers: { accept: JSON_TYPE, 'if-none-match': before.headers.etag as string } });
  t.equal(after.statusCode, 200, 'the old tag no longer matches');
  t.same((JSON.parse(after.body) as ServedGraph).nodes.map((n) => n.version), ['1.2.0']);
});

t.test('CORS: Origin is echoed on graph answers, errors and preflights', async (t) => {
  const { app } = await makeApp(t);
  const ok = await app.inject({ url: `/api/upgrades_info/graph${STABLE}`, headers: { accept: JSON_TYPE, origin: 'example.com' } });
  t.equal(ok.headers['access-control-allow-origin'], 'example.com');
  const bad = await app.inject({ url: '/graph', headers: { origin: 'https://console.example' } });
  t.equal(bad.statusCode, 400);
  t.equal(bad.headers['access-control-allow-origin'], 'https://console.example');
  const none = await app.inject({ url: `/graph${STABLE}` });
  t.equal(none.headers['access-control-allow-origin'], undefined, 'no Origin, no CORS header');
  const pre = await app.inject({
    method: 'OPTIONS',
    url: '/api/upgrades_info/graph',
    headers: { origin: 'example.com', 'access-control-request-method': 'GET', 'access-control-request-headers': 'accept' },
  });
  t.equal(pre.statusCode, 204);
  t.equal(pre.headers['access-control-allow-origin'], 'example.com');
  t.equal(pre.headers['access-control-allow-methods'], 'GET, HEAD');
  t.equal(pre.headers['access-control-allow-headers'], 'accept');
});

t.test('HEAD answers with the headers of GET and no body', async (t) => {
  const { app } = await makeApp(t);
  const get = await app.inject({ url: `/graph${STABLE}`, headers: { accept: JSON_TYPE } });
  const head = await app.inject({ method: 'HEAD', url: `/graph${STABLE}`, headers: { accept: JSON_TYPE } });
  t.equal(head.statusCode, 200);
  t.equal(head.body, '');
  t.equal(head.headers['content-type'], JSON_TYPE);
  t.equal(head.headers.etag, get.headers.etag);
  t.equal(head.headers['content-length'], String(Buffer.byteLength(get.body)));
  const head400 = await app.inject({ method: 'HEAD', url: '/graph' });
  t.equal(head400.statusCode, 400);
});

t.test('unknown paths and methods: 404 with an empty body', async (t) => {
  const { app } = await makeApp(t);
  for (const [method, url] of [['GET', '/nope'], ['GET', '/api/upgrades_info/graph/'], ['GET', '/api/upgrades_info'], ['POST', '/graph'], ['DELETE', '/v1/graph']] as const) {
    const res = await app.inject({ method, url });
    t.equal(res.statusCode, 404, `${method} ${url}`);
    t.equal(res.body, '', `${method} ${url}: empty body`);
  }
});

t.test('a node version that is not SemVer: 500 arch_version_error for that channel and arch only', async (t) => {
  const md = (arch: string, channels: string) => ({
    'io.openshift.upgrades.graph.release.arch': arch,
    'io.openshift.upgrades.graph.release.channels': channels,
  });
  const raw = {
    nodes: [
      { version: '4.1.0+amd64', payload: `r.example/x@sha256:${'a'.repeat(64)}`, metadata: md('amd64', 'stable-4.1,fast-4.1') },
      { version: '4.1', payload: `r.example/x@sha256:${'b'.repeat(64)}`, metadata: md('amd64', 'stable-4.1') },
    ],
    edges: [] as Array<[number, number]>,
  };
  const { app } = await makeApp(t, () => ({ raw }));
  const bad = await app.inject({ url: '/graph?channel=stable-4.1', headers: { accept: JSON_TYPE } });
  t.equal(bad.statusCode, 500);
  t.equal(bad.headers['content-type'], JSON_TYPE);
  t.same(JSON.parse(bad.body), { kind: 'arch_version_error', value: 'failed to process version: 4.1 is not a SemVer version' });
  const good = await app.inject({ url: '/graph?channel=fast-4.1', headers: { accept: JSON_TYPE } });
  t.equal(good.statusCode, 200);
  t.same((JSON.parse(good.body) as ServedGraph).nodes.map((n) => n.version), ['4.1.0']);
});

t.test('readiness: 503 until the first good build, then 200 for good; liveness always 200', async (t) => {
  let fail = true;
  const { app, cache } = await makeApp(t, () => {
    if (fail) throw new KusError('KUS_ERR_STORE', 'store not readable yet');
    return workedInput();
  }, false);
  t.equal((await app.inject({ url: '/livez' })).statusCode, 200);
  t.equal((await app.inject({ url: '/readyz' })).statusCode, 503, 'no build yet');
  t.equal(cache.rebuild().ok, false);
  t.equal((await app.inject({ url: '/readyz' })).statusCode, 503, 'a failed first build is not ready');
  const before = await app.inject({ url: `/graph${STABLE}` });
  // An empty 200 would make a cluster report VersionNotFound for its own version.
  t.equal(before.statusCode, 503, 'nothing built: 503, not an empty graph');
  t.same(before.json(), { kind: 'service_unavailable', value: 'no graph has been built yet; see /readyz' });
  t.equal(before.headers['retry-after'], '5');
  fail = false;
  t.equal(cache.rebuild().ok, true);
  t.equal((await app.inject({ url: '/readyz' })).statusCode, 200);
  fail = true;
  t.equal(cache.rebuild().ok, false);
  t.equal((await app.inject({ url: '/readyz' })).statusCode, 200, 'stays ready after a later failure');
});

t.test('a failed rebuild keeps serving the last good graph and is counted', async (t) => {
  let input: BuildInput = workedInput();
  const { app, cache } = await makeApp(t, () => input);
  const good = await app.inject({ url: `/graph${STABLE}`, headers: { accept: JSON_TYPE } });
  // 1.0.0 listing 1.2.1 as previous closes a cycle: the engine refuses the whole build.
  const cyclic = workedReleases().map((r) => (r.version === '1.0.0' ? { ...r, previous: ['1.2.1'] } : r));
  input = { releases: cyclic, graphData: workedGraphData() };
  const result = cache.rebuild();
  t.equal(result.ok, false);
  if (!result.ok) t.match(String(result.error), /cycle/);
  const after = await app.inject({ url: `/graph${STABLE}`, headers: { accept: JSON_TYPE } });
  t.equal(after.statusCode, 200);
  t.equal(after.body, good.body, 'same bytes as before the failed rebuild');
  t.equal(after.headers.etag, good.headers.etag);
  t.equal(cache.stats().failures, 1);
  const metrics = (await app.inject({ url: '/metrics' })).body;
  t.match(metrics, /^kus_graph_build_failures_total 1$/m);
  t.match(metrics, /^kus_graph_builds_total 1$/m);
});

t.test('/metrics exposes requests, latency and graph series in Prometheus text', async (t) => {
  const { app } = await makeApp(t);
  await app.inject({ url: `/api/upgrades_info/graph${STABLE}` });
  await app.inject({ url: '/api/upgrades_info/graph' });
  await app.inject({ url: '/nope' });
  const res = await app.inject({ url: '/metrics' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/plain/);
  const text = res.body;
  t.match(text, /^kus_http_requests_total\{route="\/api\/upgrades_info\/graph",method="GET",status="200"\} 1$/m);
  t.match(text, /^kus_http_requests_total\{route="\/api\/upgrades_info\/graph",method="GET",status="400"\} 1$/m);
  t.match(text, /^kus_http_requests_total\{route="\(unmatched\)",method="GET",status="404"\} 1$/m);
  t.match(text, /^kus_http_request_duration_seconds_bucket\{le="0\.001",route="\/api\/upgrades_info\/graph"\} \d+$/m);
  t.match(text, /^kus_graph_build_duration_seconds \d/m);
  t.match(text, /^kus_graph_builds_total 1$/m);
  t.match(text, /^kus_graph_build_failures_total 0$/m);
  t.match(text, /^kus_graph_releases 10$/m, 'ten concrete releases (five versions × two arches)');
  t.match(text, /^kus_graph_ready 1$/m);
  t.match(text, /^kus_graph_channel_nodes\{channel="stable-1.2",arch="amd64"\} 3$/m);
  t.match(text, /^process_cpu_seconds_total /m, 'process metrics of this app\'s own registry');
  await app.inject({ url: `/api/upgrades_info/graph${STABLE}` });
  const again = (await app.inject({ url: '/metrics' })).body;
  t.match(again, /^kus_http_requests_total\{route="\/api\/upgrades_info\/graph",method="GET",status="200"\} 2$/m, 'counts accumulate across scrapes');
  t.match(again, /^kus_http_requests_total\{route="\/metrics",method="GET",status="200"\} 1$/m);
});

t.test('two apps keep separate metric registries', async (t) => {
  const a = await makeApp(t);
  const b = await makeApp(t);
  await a.app.inject({ url: `/graph${STABLE}` });
  t.match((await a.app.inject({ url: '/metrics' })).body, /route="\/graph",method="GET",status="200"\} 1$/m);
  t.notMatch((await b.app.inject({ url: '/metrics' })).body, /route="\/graph",method="GET",status="200"/);
});

t.test('/openapi.json is an OpenAPI 3 document describing the graph route; /docs serves the UI', async (t) => {
  const { app } = await makeApp(t);
  const res = await app.inject({ url: '/openapi.json' });
  t.equal(res.statusCode, 200);
  const doc = JSON.parse(res.body) as {
    openapi: string;
    info: { title: string };
    paths: Record<string, Record<string, { operationId: string; tags: string[]; parameters: Array<{ name: string; in: string; required?: boolean }>; responses: Record<string, unknown> }>>;
  };
  t.match(doc.openapi, /^3\./);
  t.equal(doc.info.title, 'Kylin Update Service');
  for (const p of PATHS) t.ok(doc.paths[p]?.get, `${p} is documented`);
  const op = doc.paths['/api/upgrades_info/graph']!.get!;
  t.equal(op.operationId, 'getGraph');
  t.same(op.tags, ['graph']);
  const channel = op.parameters.find((p) => p.name === 'channel');
  t.same({ in: channel?.in, required: channel?.required }, { in: 'query', required: true });
  t.ok(op.parameters.find((p) => p.name === 'arch'), 'arch is documented');
  t.same(Object.keys(op.responses).sort(), ['200', '304', '400', '406', '500', '503']);
  const ids = Object.values(doc.paths).flatMap((m) => Object.values(m).map((o) => o.operationId));
  t.equal(new Set(ids).size, ids.length, 'operationIds are unique');
  t.ok(doc.paths['/readyz'] && doc.paths['/livez'] && doc.paths['/metrics'], 'health routes are documented');
  const ui = await app.inject({ url: '/docs' });
  t.ok(ui.statusCode === 200 || ui.statusCode === 302, `/docs answers (${ui.statusCode})`);
});

t.test('the error handler renders KusError as {code, message} with its status', async (t) => {
  const cache = new GraphCache({ load: workedInput, logger: silentLogger });
  const app = buildApp({ graphs: cache, logLevel: 'silent' });
  t.teardown(() => app.close());
  app.get('/boom', async () => {
    throw new KusError('KUS_ERR_NOT_FOUND', 'release "9.9.9" does not exist');
  });
  app.get('/crash', async () => {
    throw new Error('secret internals');
  });
  const res = await app.inject({ url: '/boom' });
  t.equal(res.statusCode, 404);
  t.same(JSON.parse(res.body), { code: 'KUS_ERR_NOT_FOUND', message: 'release "9.9.9" does not exist' });
  const crash = await app.inject({ url: '/crash' });
  t.equal(crash.statusCode, 500);
  t.same(JSON.parse(crash.body), { code: 'KUS_ERR_INTERNAL', message: 'internal error' });
});

t.test('the server logger never writes the Authorization header', async (t) => {
  let out = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out += chunk.toString();
      done();
    },
  });
  const logger = pino(serverLoggerOptions('debug'), sink);
  const app = buildApp({ graphs: new GraphCache({ load: workedInput, logger: silentLogger }), logger });
  t.teardown(() => app.close());
  app.get('/echo', async (request) => {
    request.log.info({ headers: request.headers }, 'headers');
    request.log.info({ req: { headers: request.headers } }, 'request with headers');
    return { ok: true };
  });
  const res = await app.inject({ url: '/echo', headers: { authorization: 'Bearer s3cr3t-token' } });
  t.equal(res.statusCode, 200);
  t.match(out, /"msg":"headers"/, 'the lines were written');
  t.match(out, /"msg":"incoming request"/, 'at debug, requests are logged');
  t.notMatch(out, /s3cr3t-token/, 'the token is not in the log');
  t.match(out, /"authorization":"\[redacted\]"/);
});

/** One request over a real socket; the body is kept raw (no decompression). */
function rawRequest(base: string, method: string, url: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
    const req = httpRequest(base + url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Headers that depend on the connection, not on the answer. */
function answerHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  const { date: _date, connection: _connection, 'keep-alive': _keepAlive, ...rest } = headers;
  return rest;
}

t.test('over a socket the graph bypasses Fastify and answers exactly like the Fastify route', async (t) => {
  const cache = new GraphCache({ load: workedInput, logger: silentLogger });
  cache.rebuild();
  const app = buildApp({ graphs: cache, logLevel: 'silent' });
  t.teardown(() => app.close());
  let routedByFastify = 0;
  app.addHook('onRequest', (_request, _reply, done) => {
    routedByFastify++;
    done();
  });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const etag = (await app.inject({ url: `/graph${STABLE}`, headers: { accept: JSON_TYPE } })).headers.etag as string;
  routedByFastify = 0;

  const queries = [STABLE, '', '?channel', '?channel=Bad', '?channel=nope-1.0', '?channel=stable-1.1&arch=', '?channel=candidate-1.2&arch=arm64&x=1'];
  const heads: Array<Record<string, string>> = [
    {},
    { accept: JSON_TYPE },
    { accept: VND, 'accept-encoding': 'gzip' },
    { accept: '*/*', origin: 'example.com' },
    { accept: 'text/html', origin: 'example.com' },
    { accept: JSON_TYPE, 'if-none-match': etag },
    { accept: JSON_TYPE, 'accept-encoding': 'gzip, br', 'if-none-match': '"nope"' },
  ];
  let compared = 0;
  for (const path of PATHS) {
    for (const query of queries) {
      for (const headers of heads) {
        for (const method of ['GET', 'HEAD'] as const) {
          const what = `${method} ${path}${query} ${JSON.stringify(headers)}`;
          const viaFastify = await app.inject({ method, url: path + query, headers });
          routedByFastify--; // inject itself runs the hook
          const viaSocket = await rawRequest(base, method, path + query, headers);
          if (viaSocket.status !== viaFastify.statusCode) t.fail(`${what}: status ${viaSocket.status} vs ${viaFastify.statusCode}`);
          if (!viaSocket.body.equals(viaFastify.rawPayload)) t.fail(`${what}: bodies differ`);
          const fastifyHeaders = answerHeaders(viaFastify.headers);
          // Fastify's automatic HEAD route adds "content-length: 0" to a 304; a 304 must not claim a length other
          // than the 200's (RFC 9110 §8.6), so the fast path leaves it out.
          if (method === 'HEAD' && viaFastify.statusCode === 304) delete fastifyHeaders['content-length'];
          t.same(answerHeaders(viaSocket.headers), fastifyHeaders, what);
          compared++;
        }
      }
    }
  }
  t.equal(compared, PATHS.length * queries.length * heads.length * 2);
  t.equal(routedByFastify, 0, 'no graph request over the socket went through Fastify');
  const others = await rawRequest(base, 'GET', '/readyz', {});
  t.equal(others.status, 200);
  t.equal(routedByFastify, 1, 'other paths still go through Fastify');
  const post = await rawRequest(base, 'POST', '/graph?channel=stable-1.2', {});
  t.same({ status: post.status, body: post.body.toString() }, { status: 404, body: '' }, 'other methods go to Fastify: 404');
  const metrics = (await rawRequest(base, 'GET', '/metrics', {})).body.toString();
  t.match(metrics, /^kus_http_requests_total\{route="\/v1\/graph",method="HEAD",status="304"\} 2$/m, 'one 304 by inject (Fastify), one by the fast path');
  t.match(metrics, /^kus_http_request_duration_seconds_count\{route="\/graph"\} \d+$/m);
});

t.test('before the first good build the fast path and the Fastify route both answer 503, then both serve the graph', async (t) => {
  let fail = true;
  const cache = new GraphCache({
    load: () => {
      if (fail) throw new KusError('KUS_ERR_STORE', 'no snapshot yet');
      return workedInput();
    },
    logger: silentLogger,
  });
  const app = buildApp({ graphs: cache, logLevel: 'silent' });
  t.teardown(() => app.close());
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  t.equal(cache.rebuild().ok, false, 'the first build fails');
  for (const path of PATHS) {
    for (const method of ['GET', 'HEAD'] as const) {
      const headers = { accept: JSON_TYPE, origin: 'example.com' };
      const viaFastify = await app.inject({ method, url: path + STABLE, headers });
      const viaSocket = await rawRequest(base, method, path + STABLE, headers);
      t.equal(viaFastify.statusCode, 503, `${method} ${path}: Fastify route 503`);
      t.equal(viaSocket.status, 503, `${method} ${path}: fast path 503`);
      t.ok(viaSocket.body.equals(viaFastify.rawPayload), `${method} ${path}: same body`);
      t.same(answerHeaders(viaSocket.headers), answerHeaders(viaFastify.headers), `${method} ${path}: same headers`);
    }
  }
  t.equal((await rawRequest(base, 'GET', `/graph?channel=Bad`, {})).status, 400, 'a bad request is still a 400');
  fail = false;
  t.equal(cache.rebuild().ok, true);
  t.equal((await rawRequest(base, 'GET', `/graph${STABLE}`, { accept: JSON_TYPE })).status, 200, 'served once built');
});
