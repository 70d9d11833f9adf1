// `npm run bench`: KUS's graph endpoint against nginx serving the same bytes, plus rebuild time and memory (issue 2 §8).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fixtureDataset, generatedDataset } from './datasets.js';
import { freePort, getRaw } from './http.js';
import { buildDurationMetrics, fetchServedBytes, GRAPH_PATH, importDataset, memoryOf, startKus, surveyGraphs } from './kus.js';
import { startNginx } from './nginx.js';
import { withCpuCost } from './cpu.js';
import { Children } from './processes.js';
import { measureRebuild } from './rebuild.js';
import { checks, printDataset, TARGETS } from './report.js';
import { ensureTools } from './tools.js';
import { runWrk } from './wrk.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const HEADERS = { Accept: 'application/json', 'Accept-Encoding': 'gzip' };

const { values: opts } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' }, // seconds per measured wrk run
    warmup: { type: 'string', default: '3' }, // seconds of unmeasured load before the rounds
    rounds: { type: 'string', default: '3' }, // alternating KUS/nginx rounds; the median is reported
    connections: { type: 'string', default: '32' },
    threads: { type: 'string', default: '1' },
    rebuilds: { type: 'string', default: '10' }, // measured in-process rebuilds after 2 warm-up ones
    only: { type: 'string' }, // 'fixture' or 'generated'
    seed: { type: 'string', default: '20260101' },
    'skip-nginx-auto': { type: 'boolean', default: false }, // skip the informational nginx run with worker_processes auto
    keep: { type: 'boolean', default: false }, // keep the temp dir (stores, logs, nginx config)
    profile: { type: 'boolean', default: false }, // run the server with --cpu-prof into bench/out/profiles/
  },
});
const num = (name) => {
  const n = Number(opts[name]);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number (got '${opts[name]}')`);
  return n;
};
const load = { threads: num('threads'), connections: num('connections'), seconds: num('duration'), rounds: num('rounds') };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/** Median of each figure over the rounds (each figure separately), plus the rounds themselves. */
function summarise(runs) {
  const pick = (key) => median(runs.map((r) => r[key]));
  return {
    requestsPerSec: pick('requestsPerSec'), p50Ms: pick('p50Ms'), p90Ms: pick('p90Ms'), p99Ms: pick('p99Ms'),
    cpuUserUsPerRequest: pick('cpuUserUsPerRequest'), cpuSystemUsPerRequest: pick('cpuSystemUsPerRequest'),
    non2xx: runs.reduce((s, r) => s + r.non2xx, 0), socketErrors: runs.reduce((s, r) => s + r.socketErrors, 0),
    rounds: runs.map(({ requestsPerSec, p50Ms, p99Ms, cpuUserUsPerRequest, cpuSystemUsPerRequest }) =>
      ({ requestsPerSec, p50Ms, p99Ms, cpuUserUsPerRequest, cpuSystemUsPerRequest })),
  };
}

async function wrk(tools, url, seconds) {
  return runWrk({ wrkPath: tools.wrk.path, url, threads: load.threads, connections: load.connections, seconds, headers: HEADERS });
}

/** One dataset from import to figures; whatever happens, its nginx instances are stopped and their dirs removed. */
async function runDataset(children, tools, dataset, work) {
  const cleanup = [];
  try {
    return await measureDataset(children, tools, dataset, work, cleanup);
  } finally {
    for (const stop of cleanup.reverse()) await stop();
  }
}

async function measureDataset(children, tools, dataset, work, cleanup) {
  const dir = fs.mkdtempSync(path.join(work, `${dataset.name}-`));
  const db = path.join(dir, 'kus.db');
  console.log(`\n[${dataset.name}] importing ${dataset.graphData}${dataset.raw ? ` + ${path.basename(dataset.raw)}` : ''}`);
  const imported = await importDataset({ repoRoot, db, graphData: dataset.graphData, raw: dataset.raw });
  console.log(`[${dataset.name}] import took ${imported.ms.toFixed(0)} ms`);

  const kusPort = await freePort();
  // Node writes the profile when the server exits (SIGTERM makes it close cleanly).
  const nodeArgs = opts.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(repoRoot, 'bench', 'out', 'profiles')}`, `--cpu-prof-name=kus-${dataset.name}.cpuprofile`] : [];
  const kus = await startKus({ children, repoRoot, db, port: kusPort, logFile: path.join(dir, 'kus.log'), nodeArgs });
  const survey = await surveyGraphs(kus.base, dataset.channels, dataset.arches);
  const heaviest = survey.reduce((best, r) => {
    const weight = (x) => x.edges + x.conditionalEdges;
    return weight(r) > weight(best) || (weight(r) === weight(best) && r.plainBytes > best.plainBytes) ? r : best;
  });
  const query = `?channel=${heaviest.channel}&arch=${heaviest.arch}`;
  const served = await fetchServedBytes(`${kus.base}${GRAPH_PATH}${query}`, HEADERS);
  const request = { path: `${GRAPH_PATH}${query}`, ...heaviest, gzipBytes: served.gzip.length, contentType: served.contentType };
  console.log(`[${dataset.name}] ${survey.length} (channel, arch) bodies; heaviest ${heaviest.channel}/${heaviest.arch}: ` +
    `${heaviest.edges} edges, ${served.plain.length} B plain, ${served.gzip.length} B gzip`);

  const nginxOptions = { children, nginxPath: tools.nginx.path, body: served.gzip, contentType: served.contentType, keep: opts.keep };
  const nginx = await startNginx({ ...nginxOptions, port: await freePort() });
  cleanup.push(nginx.stop);
  const nginxUrl = `${nginx.url}${query}`;
  const same = await getRaw(nginxUrl, HEADERS);
  if (!same.body.equals(served.gzip) || same.headers['content-type'] !== served.contentType) throw new Error('nginx does not serve the same bytes and type as KUS');

  const kusUrl = `${kus.base}${GRAPH_PATH}${query}`;
  console.log(`[${dataset.name}] warm-up ${opts.warmup}s each, then ${load.rounds} x ${load.seconds}s rounds alternating KUS / nginx`);
  await wrk(tools, kusUrl, num('warmup'));
  await wrk(tools, nginxUrl, num('warmup'));
  const kusRuns = [];
  const nginxRuns = [];
  let command = '';
  for (let round = 0; round < load.rounds; round++) {
    const k = await withCpuCost(kus.child.pid, () => wrk(tools, kusUrl, load.seconds));
    const n = await withCpuCost(nginx.child.pid, () => wrk(tools, nginxUrl, load.seconds));
    kusRuns.push(k);
    nginxRuns.push(n);
    command = k.command.replace(kusUrl, 'URL');
    console.log(`[${dataset.name}] round ${round + 1}: KUS ${k.requestsPerSec.toFixed(0)} req/s p99 ${k.p99Ms} ms; nginx ${n.requestsPerSec.toFixed(0)} req/s p99 ${n.p99Ms} ms`);
  }
  const memory = memoryOf(kus.child.pid);
  const metrics = await buildDurationMetrics(kus.base);
  await nginx.stop();

  let nginxAuto = null;
  if (!opts['skip-nginx-auto']) {
    const auto = await startNginx({ ...nginxOptions, port: await freePort(), workers: 'auto' });
    cleanup.push(auto.stop);
    await wrk(tools, `${auto.url}${query}`, num('warmup'));
    nginxAuto = summarise([await withCpuCost(auto.child.pid, () => wrk(tools, `${auto.url}${query}`, load.seconds))]);
    await auto.stop();
  }
  await children.stop(kus.child);

  // The server is stopped, so the in-process rebuild does not compete with it for a CPU.
  const inProcess = await measureRebuild({ repoRoot, db, runs: num('rebuilds'), warmup: 2 });
  // Seconds in Prometheus; shown in ms like the other figures. The server builds once, at start-up (cold JIT).
  const metricText = metrics.error ??
    (Object.entries(metrics.samples).map(([k, v]) => `${k} = ${(v * 1000).toFixed(1)} ms`).join(', ') || 'no build-duration metric found');
  return {
    dataset: { name: dataset.name, description: dataset.description, importMs: imported.ms, bodies: survey.length, stats: dataset.stats ?? null },
    request,
    load: { ...load, warmupSeconds: num('warmup'), command, headers: HEADERS, nginxWorkers: 1 },
    kus: summarise(kusRuns),
    nginx: summarise(nginxRuns),
    nginxAuto,
    rebuild: { inProcess, metrics: metrics.samples ?? null, metricText },
    memory,
  };
}

async function main(children) {
  const started = Date.now();
  const tools = ensureTools();
  console.log(`node ${process.version}; ${tools.nginx.version} (${tools.nginx.path}); ${tools.wrk.version} (${tools.wrk.path})`);
  console.log(`host: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log('nginx runs with worker_processes 1 to match KUS\'s single event loop; "nginx auto" is shown for information.');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kus-bench-'));
  const results = { startedAt: new Date(started).toISOString(), node: process.version, tools, cpus: os.cpus().length, loadAverage: os.loadavg(), targets: TARGETS, datasets: [] };
  try {
    const datasets = [];
    const fixture = fixtureDataset(repoRoot);
    if (fixture.skipped) console.log(`SKIP fixture dataset: ${fixture.skipped}`);
    else datasets.push(fixture);
    datasets.push(generatedDataset(path.join(work, 'generated'), Number(opts.seed)));
    for (const dataset of datasets.filter((d) => !opts.only || d.name === opts.only)) {
      const result = await runDataset(children, tools, dataset, work);
      results.datasets.push({ ...result, checks: checks(result) });
    }
  } finally {
    if (opts.keep) console.log(`kept ${work}`);
    else fs.rmSync(work, { recursive: true, force: true });
  }
  let failed = 0;
  for (const result of results.datasets) {
    const c = printDataset(result);
    failed += Object.values(c).filter((x) => x.pass === false).length;
  }
  const out = path.join(repoRoot, 'bench', 'out');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'results.json'), `${JSON.stringify({ ...results, finishedAt: new Date().toISOString() }, null, 2)}\n`);
  console.log(`\n${failed === 0 ? 'all targets met' : `${failed} target(s) missed`}; figures in bench/out/results.json (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  return failed === 0 ? 0 : 1;
}

const children = new Children();
process.on('exit', () => children.killAllNow());
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    children.killAllNow();
    process.exit(130);
  });
}
// A hard upper bound, whatever hangs: the run is about 3–4 minutes with the defaults.
const limitMs = (60 + 2 * (2 * num('warmup') + (2 * load.rounds + 2) * load.seconds + 120)) * 1000;
const watchdog = setTimeout(() => {
  console.error(`bench: still running after ${limitMs / 1000} s; stopping`);
  children.killAllNow();
  process.exit(1);
}, limitMs);
watchdog.unref();

main(children).then(
  async (code) => { await children.stopAll(); process.exitCode = code; },
  async (err) => { console.error(`bench failed: ${err.stack ?? err}`); await children.stopAll(); process.exitCode = 1; },
);
