// The graph fast path's own work per answer, without a socket: its listener called in a loop with the real graph
// cache, query memo, request metrics and fleet recorder of a store, and a response object that only counts bytes.
// What is left of KUS's CPU per request beyond node:http's, measured apart from the HTTP stack and the kernel.
//   npm run build && node bench/fast-path.js STORE.db [CHANNEL/ARCH] [--id | --bad-id] [--no-fleet]
//   (STORE.db e.g. a `kus import` of bench data). --id: the poll names a cluster, which is recorded; --bad-id: an id of
//   the same length that is not a UUID, only counted; --no-fleet: no recorder, as `kus serve --no-fleet`.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const flags = ['--id', '--bad-id', '--no-fleet'];
const args = process.argv.slice(2).filter((a) => !flags.includes(a));
const [db, request = 'stable-4.18/amd64'] = args;
if (!db) {
  console.error('usage: node bench/fast-path.js STORE.db [CHANNEL/ARCH] [--id | --bad-id] [--no-fleet]');
  process.exit(2);
}
const { openContext } = await import(`${dist}/compose/local-store.js`);
const { GraphCache } = await import(`${dist}/services/graph-cache.js`);
const { graphFastPath } = await import(`${dist}/server/plugins/graph-fast-path.js`);
const { createGraphQueryMemo } = await import(`${dist}/server/routes/public/graph-query-memo.js`);
const { createMetrics } = await import(`${dist}/server/plugins/metrics.js`);
const { FleetRecorder } = await import(`${dist}/services/fleet/recorder.js`);

const silent = { info() {}, warn() {}, error() {} };
const context = openContext({ db });
const graphs = new GraphCache({ load: () => context.store.loadGraphInput(), logger: silent, warmUp: false });
const built = graphs.rebuild();
if (!built.ok) throw built.error;
const metrics = createMetrics(graphs);
// Not started: polls are merged in memory as on the serving thread; nothing is written.
const recorder = new FleetRecorder({ repository: context.store.fleet, logger: silent });
const recordPoll = process.argv.includes('--no-fleet') ? undefined : (q, ua) => recorder.record(q, ua);
const listener = graphFastPath(graphs, createGraphQueryMemo(), ['/api/upgrades_info/graph'], metrics.record, recordPoll)(() => {
  throw new Error('the fast path handed the request to Fastify');
});
const [channel, arch] = request.split('/');
const id = process.argv.includes('--id') ? '&id=01234567-89ab-cdef-0123-456789abcdef&version=4.18.3'
  : process.argv.includes('--bad-id') ? '&id=zzzzzzzz-89ab-cdef-0123-456789abcdef&version=4.18.3' : '';
const req = {
  method: 'GET',
  url: `/api/upgrades_info/graph?channel=${encodeURIComponent(channel)}&arch=${encodeURIComponent(arch)}${id}`,
  headers: { host: '127.0.0.1', accept: 'application/json', 'accept-encoding': 'gzip', 'user-agent': 'ClusterVersionOperator/4.18' },
  rawHeaders: [],
};
let status = 0;
let bytes = 0;
const res = { writeHead(s) { status = s; }, end(body) { bytes += body.length; } };
console.log(`node ${process.version}; GET ${req.url}`);
for (let round = 0; round < 5; round++) {
  const n = 500_000;
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) listener(req, res);
  console.log(`round ${round + 1}: ${(Number(process.hrtime.bigint() - started) / n).toFixed(0)} ns per answer (status ${status})`);
}
if (bytes === 0) throw new Error('no body was sent');
context.close();
