// Drives the built KUS: `kus import` into a temp store, `kus serve` as a child, and what the benchmark reads from it.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { getRaw, waitForHttp } from './http.js';
import { machineRuntime } from './node24.js';
import { onCpu } from './pin.js';
import { runToEnd } from './processes.js';

export const GRAPH_PATH = '/api/upgrades_info/graph';

/** A copy of a store that is not open for writing: its file and its write-ahead log. */
export function copyStore(from, to) {
  for (const suffix of ['', '-wal']) if (fs.existsSync(`${from}${suffix}`)) fs.copyFileSync(`${from}${suffix}`, `${to}${suffix}`);
}

/** The node flags in the built bin's shebang (`#!/usr/bin/env -S node FLAGS`): KUS is measured as `kus serve` runs. */
export function binNodeFlags(repoRoot) {
  const first = fs.readFileSync(path.join(repoRoot, 'dist/cli/main.js'), 'utf8').split('\n')[0];
  const m = /^#!\/usr\/bin\/env -S node(.*)$/.exec(first);
  if (!m) throw new Error(`dist/cli/main.js starts with ${JSON.stringify(first)}, not "#!/usr/bin/env -S node FLAGS"`);
  return m[1].split(' ').filter((f) => f !== '');
}

/**
 * The allocator settings of the image's runtime stage (its `ENV LD_PRELOAD=…` and `ENV MALLOC_CONF=…` lines), so that
 * KUS is measured with the allocator it runs with there; {} when the Dockerfile sets none.
 */
export function imageAllocatorEnv(repoRoot) {
  const text = fs.readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
  const runtimeStage = text.split(/^FROM\s/m).at(-1);
  const env = {};
  for (const m of runtimeStage.matchAll(/^ENV\s+(LD_PRELOAD|MALLOC_CONF)=(\S+)\s*$/gm)) env[m[1]] = m[2];
  return env;
}

/** Whether the process `pid` has the shared library `preload` (a soname or a path) mapped: the preload took. */
export function hasMapped(pid, preload) {
  const name = path.basename(preload);
  return fs.readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n').some((line) => path.basename(line.trim().split(/\s+/).at(-1) ?? '') === name);
}

/** `kus import --db DB --graph-data DIR [--raw RAW]`; returns the wall time in ms. */
export async function importDataset({ repoRoot, db, graphData, raw }) {
  const args = ['dist/cli/main.js', 'import', '--db', db, '--graph-data', graphData];
  if (raw) args.push('--raw', raw);
  const started = performance.now();
  const { stdout, stderr } = await runToEnd(process.execPath, args, { cwd: repoRoot, timeoutMs: 180_000 });
  return { ms: performance.now() - started, output: `${stdout}${stderr}`.trim() };
}

/**
 * Starts `kus serve` on 127.0.0.1:port and waits until /readyz says the first graph is built. `runtime` is the node
 * to run it with (bench/node24.js; default the machine's), `nodeArgs` go to node itself (e.g. --cpu-prof), `cpu`
 * pins it (bench/pin.js), `serveArgs` are more `kus serve` flags (e.g. --follow URL).
 */
export async function startKus({ children, repoRoot, db, port, logFile, nodeArgs = [], runtime = machineRuntime(), cpu = null, serveArgs = [] }) {
  const args = [...runtime.nodeArgs, ...binNodeFlags(repoRoot), ...nodeArgs, 'dist/cli/main.js', 'serve', '--host', '127.0.0.1', '--port', String(port), '--db', db, ...serveArgs];
  const pinned = onCpu(cpu, runtime.execPath, args);
  const allocator = imageAllocatorEnv(repoRoot);
  const child = children.start(pinned.command, pinned.args, { cwd: repoRoot, logFile, env: { ...process.env, ...allocator } });
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/readyz`, child, 120_000);
  // ld.so only warns when a preload is missing, and KUS would then be measured on glibc's malloc, not the image's allocator.
  if (allocator.LD_PRELOAD && !hasMapped(child.pid, allocator.LD_PRELOAD)) {
    throw new Error(`kus serve did not load ${allocator.LD_PRELOAD} (the image's LD_PRELOAD): install Debian's libjemalloc2 (the benchmark does when run as root)`);
  }
  return { child, base, runtime };
}

/** Every (channel, arch) body, plain, with its edge counts; used to pick the heaviest request. */
export async function surveyGraphs(base, channels, arches) {
  const rows = [];
  for (const arch of arches) {
    for (const channel of channels) {
      const url = `${base}${GRAPH_PATH}?channel=${encodeURIComponent(channel)}&arch=${encodeURIComponent(arch)}`;
      const res = await getRaw(url, { Accept: 'application/json' });
      if (res.status !== 200) throw new Error(`GET ${url}: status ${res.status}: ${res.body.toString().slice(0, 300)}`);
      const graph = JSON.parse(res.body.toString());
      const conditional = graph.conditionalEdges.reduce((sum, group) => sum + group.edges.length, 0);
      rows.push({ channel, arch, nodes: graph.nodes.length, edges: graph.edges.length, conditionalEdges: conditional, plainBytes: res.body.length });
    }
  }
  return rows;
}

/**
 * The exact gzip bytes KUS sends for `url` with the benchmark's headers, checked to inflate to the plain body
 * (so nginx is handed a faithful copy).
 */
export async function fetchServedBytes(url, headers) {
  const gz = await getRaw(url, headers);
  if (gz.status !== 200) throw new Error(`GET ${url}: status ${gz.status}`);
  if (gz.headers['content-encoding'] !== 'gzip') {
    throw new Error(`GET ${url} with Accept-Encoding: gzip came back with content-encoding ${JSON.stringify(gz.headers['content-encoding'])}`);
  }
  const plain = await getRaw(url, { Accept: headers.Accept });
  if (!zlib.gunzipSync(gz.body).equals(plain.body)) throw new Error(`GET ${url}: the gzip body does not inflate to the plain body`);
  return { gzip: gz.body, plain: plain.body, contentType: gz.headers['content-type'], headers: gz.headers };
}

/** Prometheus text → the samples whose metric name mentions both "build" and "duration". */
export async function buildDurationMetrics(base) {
  const res = await getRaw(`${base}/metrics`);
  if (res.status !== 200) return { error: `GET /metrics: status ${res.status}` };
  const samples = {};
  for (const line of res.body.toString().split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m && /build/.test(m[1]) && /duration/.test(m[1]) && !m[1].endsWith('_bucket')) samples[`${m[1]}${m[2] ?? ''}`] = Number(m[3]);
  }
  return { samples };
}

/** Node's own memory figures from /metrics (prom-client default metrics), in MB: where the RSS goes. */
export async function heapMetrics(base) {
  const res = await getRaw(`${base}/metrics`);
  const wanted = ['nodejs_heap_size_used_bytes', 'nodejs_heap_size_total_bytes', 'nodejs_external_memory_bytes'];
  const out = {};
  for (const line of res.body.toString().split('\n')) {
    const m = /^(\w+) (\S+)$/.exec(line);
    if (m && wanted.includes(m[1])) out[m[1].replace(/^nodejs_/, '').replace(/_bytes$/, 'Mb')] = Number(m[2]) / 1048576;
  }
  return out;
}

/** VmRSS and VmHWM (peak) of a process, in MB. */
export function memoryOf(pid) {
  const status = fs.readFileSync(path.join('/proc', String(pid), 'status'), 'utf8');
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
}
