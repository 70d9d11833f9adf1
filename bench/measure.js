// Measures one dataset: import, serve, then graph throughput of KUS (machine node and Node 24) against a bare
// node:http server and nginx sending the same bytes, publishing on the primary and on a replica, and the rebuild.
import fs from 'node:fs';
import path from 'node:path';
import { cpuTimes, cpuUsPerRequestSince, waitQuiet, withCpuCost } from './cpu.js';
import { freePort, getRaw } from './http.js';
import { buildDurationMetrics, copyStore, fetchServedBytes, GRAPH_PATH, heapMetrics, importDataset, memoryOf, startKus, surveyGraphs } from './kus.js';
import { startNginx } from './nginx.js';
import { startNodeFloor } from './node-floor.js';
import { createToken } from './publish.js';
import { measurePrimaryPublishing, measureQuietPublishing, measureReplica } from './publish-load.js';
import { measureSignedReplica } from './signed-replica.js';
import { measureFleetRecording } from './fleet.js';
import { measureRebuild } from './rebuild.js';
import { measureRollouts } from './rollouts.js';
import { range } from './stats.js';
import { runWrk } from './wrk.js';

export const HEADERS = { Accept: 'application/json', 'Accept-Encoding': 'gzip' };

/** Each figure's range over the rounds (min / median / max), plus the rounds themselves. */
function summarise(runs) {
  // CPU per request (user + system) is the figure that survives a shared machine: req/s and p99 move with whatever
  // else runs, the work one request costs much less.
  const withCpu = runs.map((r) => ({ ...r, cpuUsPerRequest: r.cpuUserUsPerRequest + r.cpuSystemUsPerRequest }));
  const pick = (key) => range(withCpu.map((r) => r[key]));
  return {
    requestsPerSec: pick('requestsPerSec'), p50Ms: pick('p50Ms'), p99Ms: pick('p99Ms'), maxMs: pick('maxMs'),
    cpuUserUsPerRequest: pick('cpuUserUsPerRequest'), cpuSystemUsPerRequest: pick('cpuSystemUsPerRequest'), cpuUsPerRequest: pick('cpuUsPerRequest'),
    non2xx: runs.reduce((s, r) => s + r.non2xx, 0), socketErrors: runs.reduce((s, r) => s + r.socketErrors, 0),
    rounds: withCpu.map(({ requestsPerSec, p50Ms, p99Ms, maxMs, cpuUserUsPerRequest, cpuSystemUsPerRequest, cpuUsPerRequest }) =>
      ({ requestsPerSec, p50Ms, p99Ms, maxMs, cpuUserUsPerRequest, cpuSystemUsPerRequest, cpuUsPerRequest })),
  };
}

/** A server against its floor (same node): req/s, p99 and CPU per request, each as per-round ratios. */
function versus(a, b) {
  return { requestsPerSec: ratios(a, b, 'requestsPerSec'), p99Ms: ratios(a, b, 'p99Ms'), cpuUsPerRequest: ratios(a, b, 'cpuUsPerRequest') };
}

/** Per-round ratio of two servers' figure (same round, so the same machine load), as a range. */
function ratios(a, b, key) {
  return range(a.rounds.map((r, i) => r[key] / b.rounds[i][key]));
}

/**
 * KUS and the node:http floor loaded at the same time on the server CPU, with a second floor process beside them as the
 * control, each by its own wrk. Why: measured one after the other, as the rounds above are, a server's figures move by
 * more than the 10 % to resolve when the host is busy (node:http alone needed 25–35 us of CPU per request one day and
 * 38–76 us the next); loaded together, all three share the same CPU and host at every moment. The figure is each server's CPU per request over the round (all its threads): the
 * req/s its CPU cost allows, which is what a server pinned to a CPU of its own serves when it is the bottleneck. The
 * control (node:http against node:http) shows what the method reads when there is nothing to compare.
 */
async function measureTogether({ children, work, wrk, kus, floor, served, serverCpu, rounds, seconds, warmup }) {
  const control = await startNodeFloor({ children, parent: work, port: await freePort(), body: served.gzip, headers: served.headers, cpu: serverCpu });
  try {
    const url = new URL(floor.url);
    const servers = [kus, floor, { key: 'control', pid: control.child.pid, url: `${control.url}${url.search}` }];
    // The control starts here: its warm-up, as the others had theirs (its first round read 0.87–0.88 without).
    await wrk(servers[2].url, warmup);
    const runs = [];
    for (let round = 0; round < rounds; round++) {
      const before = servers.map((t) => cpuTimes(t.pid));
      const loads = await Promise.all(servers.map((t) => wrk(t.url, seconds)));
      const cpu = servers.map((t, i) => cpuUsPerRequestSince(t.pid, before[i], loads[i].requests));
      const [k, f, c] = cpu;
      runs.push({ kusAllows: f / k, kusAllowsControl: c / k, controlAllows: f / c, cpuUsPerRequest: { kus: k, nodeFloor: f, control: c } });
      console.log(`[together] round ${round + 1}/${rounds}: us CPU/req KUS ${k.toFixed(1)}, node:http ${f.toFixed(1)}, node:http (control) ${c.toFixed(1)}; ` +
        `KUS / node:http ${(f / k).toFixed(3)}, KUS / control ${(c / k).toFixed(3)}, control / node:http ${(f / c).toFixed(3)}`);
    }
    return {
      rounds,
      kusAllows: range(runs.map((r) => r.kusAllows)),
      kusAllowsControl: range(runs.map((r) => r.kusAllowsControl)),
      controlAllows: range(runs.map((r) => r.controlAllows)),
      cpuUsPerRequest: Object.fromEntries(['kus', 'nodeFloor', 'control'].map((key) => [key, range(runs.map((r) => r.cpuUsPerRequest[key]))])),
    };
  } finally {
    await control.stop();
  }
}

/**
 * One dataset from import to figures. `ctx` = { children, tools, work, repoRoot, pin, runtimes: { machine, node24 },
 * settings }. Whatever happens, the servers it started are stopped.
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
  const { children, tools, work, repoRoot, settings, pin, runtimes } = ctx;
  const { load, warmup } = settings;
  const serverCpu = pin?.server ?? null;
  const wrk = (url, seconds, timeoutSeconds = 5, script = null) => runWrk({ wrkPath: tools.wrk.path, url, threads: load.threads, connections: load.connections, seconds, headers: HEADERS, cpu: pin?.load ?? null, timeoutSeconds, script });
  // While publishing, a request may wait behind a rebuild for seconds: it must count as slow, not drop out as a timeout.
  const patientWrk = (url, seconds) => wrk(url, seconds, 30);
  const dir = fs.mkdtempSync(path.join(work, `${dataset.name}-`));
  const db = path.join(dir, 'kus.db');
  console.log(`\n[${dataset.name}] importing ${dataset.graphData}${dataset.raw ? ` + ${path.basename(dataset.raw)}` : ''}`);
  const imported = await importDataset({ repoRoot, db, graphData: dataset.graphData, raw: dataset.raw });
  console.log(`[${dataset.name}] import took ${imported.ms.toFixed(0)} ms`);
  const token = await createToken(repoRoot, db);
  // Node 24 serves, and the in-process rebuild reads, an untouched copy: the primary's store grows as it publishes.
  const pristine = path.join(dir, 'pristine.db');
  copyStore(db, pristine);

  const started = (server) => {
    cleanup.push(() => children.stop(server.child));
    return server;
  };
  // Node writes the profile when the server exits (SIGTERM makes it close cleanly).
  const nodeArgs = settings.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(repoRoot, 'bench', 'out', 'profiles')}`, `--cpu-prof-name=kus-${dataset.name}.cpuprofile`] : [];
  const kus = started(await startKus({ children, repoRoot, db, port: await freePort(), logFile: path.join(dir, 'kus.log'), nodeArgs, cpu: serverCpu }));
  const rssAfterStartMb = memoryOf(kus.child.pid).rssMb;
  const request = await chooseRequest(kus.base, dataset, settings.request);
  const query = `?channel=${encodeURIComponent(request.channel)}&arch=${encodeURIComponent(request.arch)}`;
  const kusUrl = `${kus.base}${GRAPH_PATH}${query}`;
  const served = await fetchServedBytes(kusUrl, HEADERS);
  Object.assign(request, { path: `${GRAPH_PATH}${query}`, plainBytes: served.plain.length, gzipBytes: served.gzip.length, contentType: served.contentType });
  console.log(`[${dataset.name}] request ${request.channel}/${request.arch}: ${request.nodes} nodes, ${request.edges} edges, ` +
    `${request.conditionalEdges} conditional edges; ${served.plain.length} B plain, ${served.gzip.length} B gzip`);

  const nginx = await startNginx({ children, nginxPath: tools.nginx.path, parent: work, port: await freePort(), body: served.gzip, contentType: served.contentType, keep: settings.keep, cpu: serverCpu });
  cleanup.push(nginx.stop);
  const floor = await startNodeFloor({ children, parent: work, port: await freePort(), body: served.gzip, headers: served.headers, cpu: serverCpu });
  cleanup.push(floor.stop);
  const targets = [
    { key: 'kus', label: `KUS (${runtimes.machine.label})`, pid: kus.child.pid, url: kusUrl },
    { key: 'nodeFloor', label: `bare node:http (${runtimes.machine.label})`, pid: floor.child.pid, url: `${floor.url}${query}` },
    { key: 'nginx', label: 'nginx (1 worker)', pid: nginx.child.pid, url: `${nginx.url}${query}` },
  ];
  for (const t of targets.slice(1)) {
    const same = await getRaw(t.url, HEADERS);
    if (!same.body.equals(served.gzip) || same.headers['content-type'] !== served.contentType) throw new Error(`${t.label} does not serve the same bytes and type as KUS`);
  }
  let kus24 = null;
  const stopAfterLoad = [];
  if (runtimes.node24?.execPath) {
    kus24 = started(await startKus({ children, repoRoot, db: pristine, port: await freePort(), logFile: path.join(dir, 'kus-node24.log'), runtime: runtimes.node24, cpu: serverCpu }));
    const url = `${kus24.base}${GRAPH_PATH}${query}`;
    // Same graph; the gzip bytes may differ with Node 24's zlib, so compare the plain bodies and report the size.
    const plain = await getRaw(url, { Accept: 'application/json' });
    if (!plain.body.equals(served.plain)) throw new Error(`KUS on ${runtimes.node24.label} serves a different graph for ${request.path}`);
    targets.splice(1, 0, { key: 'kusNode24', label: `KUS (${runtimes.node24.label})`, pid: kus24.child.pid, url });
    // The floor on Node 24 too, so each KUS is compared with node:http on its own node. It sends what KUS on Node 24
    // sends (its zlib's gzip bytes and its headers).
    const served24 = await fetchServedBytes(url, HEADERS);
    const floor24 = await startNodeFloor({ children, parent: work, port: await freePort(), body: served24.gzip, headers: served24.headers, execPath: runtimes.node24.execPath, cpu: serverCpu });
    cleanup.push(floor24.stop);
    stopAfterLoad.push(floor24.stop);
    const floorUrl = `${floor24.url}${query}`;
    const same = await getRaw(floorUrl, HEADERS);
    if (!same.body.equals(served24.gzip) || same.headers['content-type'] !== served24.contentType) throw new Error(`the node:http floor on ${runtimes.node24.label} does not serve KUS's bytes and type`);
    targets.splice(3, 0, { key: 'nodeFloorNode24', label: `bare node:http (${runtimes.node24.label})`, pid: floor24.child.pid, url: floorUrl });
  }

  // Each KUS renders and compresses its bodies in the background after its first build, then its build worker
  // rehearses a few publishes and, 2 s later (DEFAULT_IDLE_MS), compacts: let all of that finish first. A quiet window
  // longer than that delay cannot fall between the rehearsal and the compaction.
  for (const t of targets.filter((x) => x.key.startsWith('kus'))) await waitQuiet(t.pid, { windowMs: 2500 });
  console.log(`[${dataset.name}] warm-up ${warmup}s each, then ${load.rounds} x ${load.seconds}s rounds alternating ${targets.map((t) => t.label).join(' / ')}`);
  for (const t of targets) await wrk(t.url, warmup);
  const runs = Object.fromEntries(targets.map((t) => [t.key, []]));
  let memory = null;
  let command = '';
  for (let round = 0; round < load.rounds; round++) {
    const line = new Map();
    // Every other round in reverse order: no server is always measured right after the same one (a neighbour's
    // leftover work, a drifting machine load), so a pair's ratio is not biased by its position.
    for (const t of round % 2 === 0 ? targets : [...targets].reverse()) {
      const r = await withCpuCost(t.pid, () => wrk(t.url, load.seconds));
      runs[t.key].push(r);
      line.set(t.key, `${t.label} ${r.requestsPerSec.toFixed(0)} req/s p99 ${r.p99Ms} ms ${(r.cpuUserUsPerRequest + r.cpuSystemUsPerRequest).toFixed(1)} us CPU/req`);
      if (t.key === 'kus') {
        command = r.command.replace(t.url, 'URL');
        // Right after KUS's own load, before the other servers' rounds give its GC time to shrink the heap.
        const after = memoryOf(kus.child.pid);
        if (!memory || after.rssMb > memory.rssMb) memory = after;
      }
    }
    console.log(`[${dataset.name}] round ${round + 1}: ${targets.map((t) => line.get(t.key)).join('; ')}`);
  }
  const together = settings.togetherRounds > 0
    ? await measureTogether({ children, work, wrk, kus: targets[0], floor: targets.find((t) => t.key === 'nodeFloor'), served, serverCpu, rounds: settings.togetherRounds, seconds: load.seconds, warmup })
    : null;
  // VmHWM is updated lazily by the kernel and can lag the last VmRSS reading by a few pages.
  memory.peakRssMb = Math.max(memory.rssMb, memoryOf(kus.child.pid).peakRssMb);
  Object.assign(memory, { rssAfterStartMb, ...(await heapMetrics(kus.base)) });
  const metrics = await buildDurationMetrics(kus.base);
  await nginx.stop();
  await floor.stop();
  for (const stop of stopAfterLoad) await stop();
  if (kus24) await children.stop(kus24.child);
  const throughput = Object.fromEntries(targets.map((t) => [t.key, { label: t.label, ...summarise(runs[t.key]) }]));
  throughput.vsFloor = versus(throughput.kus, throughput.nodeFloor);
  throughput.together = together;
  throughput.vsNginx = versus(throughput.kus, throughput.nginx);
  if (kus24) {
    throughput.node24VsFloorNode24 = versus(throughput.kusNode24, throughput.nodeFloorNode24);
    throughput.node24VsMachine = versus(throughput.kusNode24, throughput.kus);
    throughput.floorNode24VsMachine = versus(throughput.nodeFloorNode24, throughput.nodeFloor);
  }

  // Issue 12: the same request from 100,000 distinct cluster ids, recorded vs --no-fleet (KUS's own server is idle).
  let fleet = null;
  if (settings.fleet) {
    const version = dataset.fleetVersion ?? (await nodeVersion(kusUrl));
    fleet = await measureFleetRecording({ children, repoRoot, dir, pin, load, warmup, pairs: settings.fleetPairs, concurrentRounds: settings.fleetCrossoverRounds, control: settings.fleetControl, wrk: (url, seconds, script) => wrk(url, seconds, 5, script) }, { store: pristine, query, version });
  }

  let rollouts = null;
  if (settings.rollouts) {
    console.log(`[${dataset.name}] rollouts: ${load.rounds} x ${load.seconds}s rounds alternating a server with 3 active rollouts in ${request.channel} and one without`);
    rollouts = await measureRollouts({
      children, repoRoot, dir, pristine, request, rounds: load.rounds, seconds: load.seconds, warmup, cpu: serverCpu, summarise, ratios, freePort,
      wrk: (url, seconds, script) => wrk(url, seconds, 5, script),
    });
  }

  let primary = null;
  let replica = null;
  if (settings.publishing) {
    console.log(`[${dataset.name}] publishing: ${settings.publishing.rounds} rounds of ${settings.publishing.idleSeconds}s graph load, ` +
      `${settings.publishing.quietPublishes} quiet publishes, ${settings.publishing.publishSeconds}s graph load while publishing every ${settings.publishing.publishEveryMs} ms`);
    primary = await measurePrimaryPublishing({ kus, token, graphUrl: kusUrl, wrk: patientWrk, settings: settings.publishing, baselineP99Ms: throughput.kus.p99Ms.median });
    if (settings.replica) {
      replica = await measureReplica({ children, repoRoot, dir, primary: kus, token, request, wrk: patientWrk, pin, settings: { ...settings.publishing, followIntervalSeconds: settings.replica.followIntervalSeconds } });
    }
  }
  await children.stop(kus.child);

  // The same quiet publishes on Node 24, the runtime of the Docker image, on an untouched copy of the store.
  let node24Publishing = null;
  if (settings.publishing && runtimes.node24?.execPath) {
    const db24 = path.join(dir, 'node24-publish.db');
    copyStore(pristine, db24);
    const server = await startKus({ children, repoRoot, db: db24, port: await freePort(), logFile: path.join(dir, 'kus-node24-publish.log'), runtime: runtimes.node24, cpu: serverCpu });
    try {
      node24Publishing = await measureQuietPublishing({ kus: server, token, rounds: settings.publishing.rounds, count: settings.publishing.quietPublishes, restSeconds: settings.publishing.restSeconds, label: `KUS (${runtimes.node24.label})` });
    } finally {
      await children.stop(server.child);
    }
  }

  let signedReplica = null;
  if (settings.signedReplica) {
    console.log(`[${dataset.name}] replica syncs without graph load: the store as it is, then with a signature per release`);
    signedReplica = await measureSignedReplica({ children, repoRoot, dir, pristine, token, pin, count: settings.publishing.quietPublishes });
  }

  // The servers are stopped, so the in-process rebuild has the server CPU to itself.
  const inProcess = settings.rebuilds > 0 ? await measureRebuild({ repoRoot, db: pristine, runs: settings.rebuilds, warmup: Math.min(2, settings.rebuilds), cpu: serverCpu }) : null;
  // Seconds in Prometheus; shown in ms like the other figures. The server builds once, at start-up (cold JIT).
  const metricText = metrics.error ??
    (Object.entries(metrics.samples).map(([k, v]) => `${k} = ${(v * 1000).toFixed(1)} ms`).join(', ') || 'no build-duration metric found');
  return {
    dataset: { name: dataset.name, description: dataset.description, importMs: imported.ms, stats: dataset.stats ?? null },
    request,
    load: { ...load, warmupSeconds: warmup, command, headers: HEADERS, nginxWorkers: 1, pinned: pin },
    throughput,
    fleet,
    rollouts,
    memory,
    primary,
    replica,
    signedReplica,
    node24Publishing,
    rebuild: { inProcess, metrics: metrics.samples ?? null, metricText },
  };
}

/** A version the clusters poll with: the newest node of the request's graph (its first node in the body's order otherwise). */
async function nodeVersion(url) {
  const res = await getRaw(url, { Accept: 'application/json' });
  const { nodes } = JSON.parse(res.body.toString());
  return nodes[nodes.length - 1].version;
}

/** SQLite's backup of a closed store: the file and, when present, its write-ahead log. */
/**
 * The (channel, arch) to load: `wanted` = "CHANNEL/ARCH", or "heaviest" (most edges over every body), or the
 * dataset's own default (the generated one: stable-4.18/amd64, the request issue 9 measured).
 */
async function chooseRequest(base, dataset, wanted) {
  const choice = wanted ?? dataset.defaultRequest ?? 'heaviest';
  if (choice === 'heaviest') {
    const survey = await surveyGraphs(base, dataset.channels, dataset.arches);
    return survey.reduce((best, r) => {
      const weight = (x) => x.edges + x.conditionalEdges;
      return weight(r) > weight(best) || (weight(r) === weight(best) && r.plainBytes > best.plainBytes) ? r : best;
    });
  }
  const [channel, arch] = choice.split('/');
  if (!channel || !arch) throw new Error(`--request ${JSON.stringify(choice)}: give CHANNEL/ARCH or heaviest`);
  const [row] = await surveyGraphs(base, [channel], [arch]);
  return row;
}
