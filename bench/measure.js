// Measures one dataset: import, serve, pick the heaviest request, load KUS / nginx / bare node:http alike, rebuild.
import fs from 'node:fs';
import path from 'node:path';
import { withCpuCost } from './cpu.js';
import { freePort, getRaw } from './http.js';
import { buildDurationMetrics, fetchServedBytes, GRAPH_PATH, heapMetrics, importDataset, memoryOf, startKus, surveyGraphs } from './kus.js';
import { startNginx } from './nginx.js';
import { startNodeFloor } from './node-floor.js';
import { measureRebuild } from './rebuild.js';
import { runWrk } from './wrk.js';

export const HEADERS = { Accept: 'application/json', 'Accept-Encoding': 'gzip' };

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

function wrk(ctx, url, seconds) {
  const { load } = ctx.settings;
  return runWrk({ wrkPath: ctx.tools.wrk.path, url, threads: load.threads, connections: load.connections, seconds, headers: HEADERS });
}

/**
 * One dataset from import to figures. `ctx` = { children, tools, work, repoRoot, settings: { load, warmup,
 * rebuilds, keep, profile, nginxAuto } }. Whatever happens, the servers it started are stopped.
 */
export async function runDataset(ctx, dataset) {
  const cleanup = [];
  try {
    return await measureDataset(ctx, dataset, cleanup);
  } finally {
    for (const stop of cleanup.reverse()) await stop();
  }
}

async function measureDataset(ctx, dataset, cleanup) {
  const { children, tools, work, repoRoot, settings } = ctx;
  const { load, warmup } = settings;
  const dir = fs.mkdtempSync(path.join(work, `${dataset.name}-`));
  const db = path.join(dir, 'kus.db');
  console.log(`\n[${dataset.name}] importing ${dataset.graphData}${dataset.raw ? ` + ${path.basename(dataset.raw)}` : ''}`);
  const imported = await importDataset({ repoRoot, db, graphData: dataset.graphData, raw: dataset.raw });
  console.log(`[${dataset.name}] import took ${imported.ms.toFixed(0)} ms`);

  const kusPort = await freePort();
  // Node writes the profile when the server exits (SIGTERM makes it close cleanly).
  const nodeArgs = settings.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(repoRoot, 'bench', 'out', 'profiles')}`, `--cpu-prof-name=kus-${dataset.name}.cpuprofile`] : [];
  const kus = await startKus({ children, repoRoot, db, port: kusPort, logFile: path.join(dir, 'kus.log'), nodeArgs });
  const rssAfterStartMb = memoryOf(kus.child.pid).rssMb;
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

  const nginxOptions = { children, nginxPath: tools.nginx.path, parent: work, body: served.gzip, contentType: served.contentType, keep: settings.keep };
  const nginx = await startNginx({ ...nginxOptions, port: await freePort() });
  cleanup.push(nginx.stop);
  const nginxUrl = `${nginx.url}${query}`;
  const same = await getRaw(nginxUrl, HEADERS);
  if (!same.body.equals(served.gzip) || same.headers['content-type'] !== served.contentType) throw new Error('nginx does not serve the same bytes and type as KUS');

  const kusUrl = `${kus.base}${GRAPH_PATH}${query}`;
  console.log(`[${dataset.name}] warm-up ${warmup}s each, then ${load.rounds} x ${load.seconds}s rounds alternating KUS / nginx / node:http`);
  await wrk(ctx, kusUrl, warmup);
  await wrk(ctx, nginxUrl, warmup);
  const floor = await startNodeFloor({ children, parent: work, port: await freePort(), body: served.gzip, headers: served.headers });
  cleanup.push(floor.stop);
  const floorUrl = `${floor.url}${query}`;
  await wrk(ctx, floorUrl, warmup);
  const kusRuns = [];
  const nginxRuns = [];
  const floorRuns = [];
  let command = '';
  let memory = null;
  for (let round = 0; round < load.rounds; round++) {
    const k = await withCpuCost(kus.child.pid, () => wrk(ctx, kusUrl, load.seconds));
    // Right after KUS's own load, before the other servers' rounds give its GC time to shrink the heap.
    const after = memoryOf(kus.child.pid);
    if (!memory || after.rssMb > memory.rssMb) memory = after;
    const n = await withCpuCost(nginx.child.pid, () => wrk(ctx, nginxUrl, load.seconds));
    const f = await withCpuCost(floor.child.pid, () => wrk(ctx, floorUrl, load.seconds));
    kusRuns.push(k);
    nginxRuns.push(n);
    floorRuns.push(f);
    command = k.command.replace(kusUrl, 'URL');
    console.log(`[${dataset.name}] round ${round + 1}: KUS ${k.requestsPerSec.toFixed(0)} req/s p99 ${k.p99Ms} ms; ` +
      `nginx ${n.requestsPerSec.toFixed(0)} req/s p99 ${n.p99Ms} ms; node:http ${f.requestsPerSec.toFixed(0)} req/s p99 ${f.p99Ms} ms`);
  }
  // VmHWM is updated lazily by the kernel and can lag the last VmRSS reading by a few pages.
  memory.peakRssMb = Math.max(memory.rssMb, memoryOf(kus.child.pid).peakRssMb);
  Object.assign(memory, { rssAfterStartMb, ...(await heapMetrics(kus.base)) });
  const metrics = await buildDurationMetrics(kus.base);
  await nginx.stop();
  await floor.stop();

  let nginxAuto = null;
  if (settings.nginxAuto) {
    const auto = await startNginx({ ...nginxOptions, port: await freePort(), workers: 'auto' });
    cleanup.push(auto.stop);
    await wrk(ctx, `${auto.url}${query}`, warmup);
    nginxAuto = summarise([await withCpuCost(auto.child.pid, () => wrk(ctx, `${auto.url}${query}`, load.seconds))]);
    await auto.stop();
  }
  await children.stop(kus.child);

  // The server is stopped, so the in-process rebuild does not compete with it for a CPU.
  const inProcess = await measureRebuild({ repoRoot, db, runs: settings.rebuilds, warmup: 2 });
  // Seconds in Prometheus; shown in ms like the other figures. The server builds once, at start-up (cold JIT).
  const metricText = metrics.error ??
    (Object.entries(metrics.samples).map(([k, v]) => `${k} = ${(v * 1000).toFixed(1)} ms`).join(', ') || 'no build-duration metric found');
  return {
    dataset: { name: dataset.name, description: dataset.description, importMs: imported.ms, bodies: survey.length, stats: dataset.stats ?? null },
    request,
    load: { ...load, warmupSeconds: warmup, command, headers: HEADERS, nginxWorkers: 1 },
    kus: summarise(kusRuns),
    nginx: summarise(nginxRuns),
    nodeFloor: summarise(floorRuns),
    nginxAuto,
    rebuild: { inProcess, metrics: metrics.samples ?? null, metricText },
    memory,
  };
}

