// Graph req/s with the fleet inventory recording (the default) against `--no-fleet`, with the polls carrying
// 100,000 distinct cluster ids (issue 12: recording must keep ≥ 0.95× of the req/s). Both servers serve copies of
// the same store, pinned to the server CPU like every other scenario, in alternating rounds.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cpuTimes, cpuUsPerRequestSince, waitQuiet, withCpuCost } from './cpu.js';
import { freePort } from './http.js';
import { copyStore, GRAPH_PATH, startKus } from './kus.js';
import { range } from './stats.js';

export const FLEET_IDS = 100_000;

// A cluster id as the CVO sends it, and one of the same length that is not a UUID ('z' is no hex digit): a server
// records polls of the first kind per cluster and only counts those of the second.
const CLUSTER_ID = '00000000-0000-4000-8000-%012x';
const NOT_AN_ID = 'zzzzzzzz-0000-4000-8000-%012x';

/**
 * A wrk script whose every request names the next of FLEET_IDS cluster ids (in turn), with a version and the query;
 * the first id is `start`, else a random one (each measured run starts elsewhere, as clusters poll in no order).
 * `idFormat` NOT_AN_ID sends the same requests with ids that are not UUIDs.
 */
function writeScript(dir, query, version, start, idFormat = CLUSTER_ID) {
  const kind = idFormat === CLUSTER_ID ? 'ids' : 'not-ids';
  const file = path.join(dir, start === undefined ? `fleet-${kind}.lua` : `fleet-${kind}-from-${start}.lua`);
  fs.writeFileSync(file, `-- every request polls as the next of ${FLEET_IDS} clusters
math.randomseed(os.time())
local n = ${start === undefined ? `math.random(0, ${FLEET_IDS - 1})` : start - 1}
request = function()
  n = (n + 1) % ${FLEET_IDS}
  return wrk.format(nil, "${GRAPH_PATH}${query}&version=${encodeURIComponent(version)}&id=" .. string.format("${idFormat}", n))
end
`);
  return file;
}

/**
 * `ctx` = { children, repoRoot, dir, pin, load: {rounds, seconds}, warmup, pairs, wrk(url, seconds, script) }; `store`
 * is a closed store to copy; `request` the (channel, arch) to poll and `version` a node of it.
 *
 * Why several pairs of processes: two `kus serve` processes of the same build and mode, started one after the other,
 * differ by up to ±8 % in req/s here (5 `--no-fleet` processes: 19,500–22,900 req/s), mostly in the kernel's time to
 * write the answers (writev, 13.3 vs 16.5 us per request in the fastest and slowest one's CPU profile), and the
 * difference lasts for the process's life. One pair then compares two draws of that spread more than recording with
 * not recording; the ratio is taken per round within a pair, and its range is over every round of every pair.
 *
 * Even pairs start, warm up and measure the recording server first, odd pairs the other, so that over an even number
 * of pairs neither slot has an order the other lacks. `control` runs both servers `--no-fleet`: what the comparison
 * reads when there is nothing to compare, i.e. its resolution on this machine. Two control runs of 6 pairs gave
 * medians of 1.055 (fixed order: the first slot started first and measured first in 2 of 3 rounds) and 0.946 (this
 * order): the spread of the method, not an order effect, and as large as the 5 % it is asked to resolve.
 */
export async function measureFleetRecording(ctx, { store, query, version }) {
  const { pairs = 1, control = false } = ctx;
  const runs = { on: [], off: [] };
  const pairRatios = [];
  const written = { rows: 0, polls: 0 };
  const polls = {};
  for (let pair = 0; pair < pairs; pair++) {
    const one = await measurePair(ctx, { store, query, version, pair, pairs });
    runs.on.push(...one.on);
    runs.off.push(...one.off);
    pairRatios.push(range(one.on.map((r, i) => r.requestsPerSec / one.off[i].requestsPerSec))?.median ?? null);
    written.rows += one.written.rows;
    written.polls += one.written.polls;
    for (const [outcome, n] of Object.entries(one.polls)) polls[outcome] = (polls[outcome] ?? 0) + n;
  }
  const non2xx = [...runs.on, ...runs.off].reduce((n, r) => n + r.non2xx + r.socketErrors, 0);
  const cpuUs = (r) => r.cpuUserUsPerRequest + r.cpuSystemUsPerRequest;
  return {
    ids: FLEET_IDS,
    version,
    pairs,
    // Both servers --no-fleet: what the comparison reads when there is nothing to compare.
    control,
    on: { requestsPerSec: range(runs.on.map((r) => r.requestsPerSec)), p99Ms: range(runs.on.map((r) => r.p99Ms)) },
    off: { requestsPerSec: range(runs.off.map((r) => r.requestsPerSec)), p99Ms: range(runs.off.map((r) => r.p99Ms)) },
    ratio: range(runs.on.map((r, i) => r.requestsPerSec / runs.off[i].requestsPerSec)),
    /** The median ratio of each pair, in the order they ran. */
    pairRatios,
    cpuUsPerRequest: { on: range(runs.on.map(cpuUs)), off: range(runs.off.map(cpuUs)) },
    // The req/s the CPU cost alone allows (--no-fleet CPU per request / recording's), per round.
    cpuRatio: range(runs.on.map((r, i) => cpuUs(runs.off[i]) / cpuUs(r))),
    polls,
    // Of the polls recorded during the rounds, how many were written as a row (new, changed, or a minute newer).
    rowsPerPoll: written.rows / written.polls,
    crossover: ctx.concurrentRounds > 0 ? await measureConcurrent(ctx, { store, query, version }) : null,
    errors: non2xx,
  };
}

/** `kus serve` on a copy of `store` named for `name`, pinned to the server CPU: { kus, db, url } (url: the graph query). */
async function startFleetServer({ children, repoRoot, dir, pin }, { store, name, query, serveArgs }) {
  const db = path.join(dir, `fleet-${name}.db`);
  copyStore(store, db);
  const kus = await startKus({ children, repoRoot, db, port: await freePort(), logFile: path.join(dir, `kus-fleet-${name}.log`), cpu: pin?.server ?? null, serveArgs });
  return { kus, db, url: `${kus.base}${GRAPH_PATH}${query}` };
}

/**
 * Waits until the servers are quiet, then polls each with every id once, in order (as many wrk runs as that takes), so
 * that a recording server holds and has written all 100,000 clusters, as a long-running server has: the measured polls
 * are then of clusters it knows, each written again once its last poll is a minute newer (a random start left most of
 * them new: each a row).
 */
async function warmFleetServers({ dir, warmup, wrk }, servers, { query, version }) {
  for (const s of servers) await waitQuiet(s.kus.child.pid);
  for (const s of servers) {
    let next = 0;
    for (let i = 0; next < FLEET_IDS && i < 40; i++) next += (await wrk(s.url, Math.max(warmup, 3), writeScript(dir, query, version, next))).requests;
  }
}

function removeStore(db) {
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${db}${suffix}`, { force: true });
}

/** One recording server and one `--no-fleet` server, started together on copies of the store, measured in alternating rounds, stopped. */
async function measurePair(ctx, { store, query, version, pair, pairs }) {
  const { children, dir, load, wrk, control = false } = ctx;
  const script = writeScript(dir, query, version);
  const servers = [];
  const slots = [['on', control ? ['--no-fleet'] : []], ['off', ['--no-fleet']]];
  // Odd pairs start, warm up and measure first the --no-fleet server (see measureFleetRecording).
  if (pair % 2 === 1) slots.reverse();
  try {
    for (const [key, serveArgs] of slots) servers.push({ key, ...(await startFleetServer(ctx, { store, name: `${key}-${pair + 1}`, query, serveArgs })) });
    await warmFleetServers(ctx, servers, { query, version });
    const recording = servers.find((s) => s.key === 'on');
    const counts = async () => {
      const text = await (await fetch(`${recording.kus.base}/metrics`)).text();
      const rows = Number(/^kus_fleet_rows_written_total (\d+)/m.exec(text)?.[1] ?? NaN);
      const recorded = Number(/^kus_fleet_polls_total\{outcome="recorded"\} (\d+)/m.exec(text)?.[1] ?? NaN);
      return { rows, recorded };
    };
    const before = await counts();
    const runs = { on: [], off: [] };
    for (let round = 0; round < load.rounds; round++) {
      // Alternating which goes first, so that a drift in the machine's load does not favour one.
      const order = round % 2 === 0 ? servers : [...servers].reverse();
      // Server CPU per request (all its threads, the fleet writer's included): steadier than req/s on a shared machine.
      for (const s of order) runs[s.key].push(await withCpuCost(s.kus.child.pid, () => wrk(s.url, load.seconds, script)));
      const cpu = (r) => (r.cpuUserUsPerRequest + r.cpuSystemUsPerRequest).toFixed(1);
      console.log(`[fleet] pair ${pair + 1}/${pairs} round ${round + 1} (${order[0].key === 'on' ? 'recording' : '--no-fleet'} first): ${control ? 'control (--no-fleet)' : 'recording'} ${runs.on[round].requestsPerSec.toFixed(0)} req/s p99 ${runs.on[round].p99Ms} ms ${cpu(runs.on[round])} us CPU/req; ` +
        `--no-fleet ${runs.off[round].requestsPerSec.toFixed(0)} req/s p99 ${runs.off[round].p99Ms} ms ${cpu(runs.off[round])} us CPU/req`);
    }
    const after = await counts();
    const metrics = await (await fetch(`${recording.kus.base}/metrics`)).text();
    const polls = Object.fromEntries([...metrics.matchAll(/^kus_fleet_polls_total\{outcome="(\w+)"\} (\d+)/gm)].map((m) => [m[1], Number(m[2])]));
    return { ...runs, polls, written: { rows: after.rows - before.rows, polls: after.recorded - before.recorded } };
  } finally {
    for (const s of servers) await children.stop(s.kus.child);
    for (const s of servers) removeStore(s.db);
  }
}

/**
 * Recording's cost where neither the machine's noise nor the process's own speed can hide it: two recording servers
 * (copies of the store, the same flags), loaded at the same time, one with polls that carry the 100,000 cluster ids
 * (recorded, as the CVO's are) and the other with ids of the same length that are not UUIDs (only counted, as a poll
 * without an id is); the next round swaps the two loads between the servers.
 *
 * Why: measured one after the other, rounds of one server here differ by up to ±15 % on a busy host, and two processes
 * of the same build by up to ±8 % for their whole life (see measureFleetRecording), both more than the 5 % to resolve.
 * Loaded together, both servers share CPU and host alike; swapping the loads cancels what one process has over the
 * other (the geometric mean of a round and its swap). What it leaves out is the UUID check and a counter that
 * `--no-fleet` also skips: within noise of nothing, `node bench/fast-path.js STORE --bad-id` against `--no-fleet`.
 *
 * The figure is the server CPU per request (all threads, the fleet writer's included), taken until the last batch a
 * round's polls left is written (up to a flush interval, 5 s, after the load) and the server is quiet, so that all of
 * recording's work counts and none spills into the next round. req/s alone would not do: the two servers split the
 * CPU by their threads, and the writer's thread takes its share from the other server, not from its own.
 */
async function measureConcurrent(ctx, { store, query, version }) {
  const { children, repoRoot, dir, load, wrk, concurrentRounds, control = false } = ctx;
  // `kus serve`'s default --fleet-flush, which the benchmark's servers run with: a round's last batch is written within it.
  const { DEFAULT_FLEET_FLUSH_MS } = await import(pathToFileURL(path.join(repoRoot, 'dist', 'services', 'fleet', 'recorder.js')).href);
  // The control polls both servers with ids that are not UUIDs: what the crossover reads when there is nothing to compare.
  const notIds = writeScript(dir, query, version, undefined, NOT_AN_ID);
  const scripts = { ids: control ? notIds : writeScript(dir, query, version), notIds };
  const servers = [];
  try {
    for (const name of ['a', 'b']) servers.push({ name, ...(await startFleetServer(ctx, { store, name: `crossover-${name}`, query, serveArgs: [] })) });
    await warmFleetServers(ctx, servers, { query, version });
    const rounds = [];
    for (let round = 0; round < concurrentRounds; round++) {
      const kinds = round % 2 === 0 ? ['ids', 'notIds'] : ['notIds', 'ids'];
      const before = servers.map((s) => cpuTimes(s.kus.child.pid));
      const runs = await Promise.all(servers.map((s, i) => wrk(s.url, load.seconds, scripts[kinds[i]])));
      await new Promise((resolve) => setTimeout(resolve, DEFAULT_FLEET_FLUSH_MS + 1000));
      for (const s of servers) await waitQuiet(s.kus.child.pid);
      const measured = servers.map((s, i) => ({
        server: s.name, kind: kinds[i], requestsPerSec: runs[i].requestsPerSec, p99Ms: runs[i].p99Ms,
        cpuUsPerRequest: cpuUsPerRequestSince(s.kus.child.pid, before[i], runs[i].requests), errors: runs[i].non2xx + runs[i].socketErrors,
      }));
      const ids = measured.find((m) => m.kind === 'ids');
      const notIds = measured.find((m) => m.kind === 'notIds');
      rounds.push({ ids, notIds, cpuRatio: notIds.cpuUsPerRequest / ids.cpuUsPerRequest });
      console.log(`[fleet] crossover${control ? ' CONTROL (not ids in both slots)' : ''} round ${round + 1}/${concurrentRounds}: server ${ids.server} ${control ? 'not ids (first slot)' : 'cluster ids'} ${ids.requestsPerSec.toFixed(0)} req/s ${ids.cpuUsPerRequest.toFixed(1)} us CPU/req; ` +
        `server ${notIds.server} not ids ${notIds.requestsPerSec.toFixed(0)} req/s ${notIds.cpuUsPerRequest.toFixed(1)} us CPU/req; CPU allows ${rounds.at(-1).cpuRatio.toFixed(3)}`);
    }
    // A round and its swap: each server once with each load, so what one server has over the other cancels.
    const crossed = [];
    for (let i = 0; i + 1 < rounds.length; i += 2) crossed.push(Math.sqrt(rounds[i].cpuRatio * rounds[i + 1].cpuRatio));
    const pick = (kind, key) => range(rounds.map((r) => r[kind][key]));
    return {
      rounds: rounds.length,
      control,
      cpuRatio: range(crossed),
      roundRatios: range(rounds.map((r) => r.cpuRatio)),
      ids: { requestsPerSec: pick('ids', 'requestsPerSec'), cpuUsPerRequest: pick('ids', 'cpuUsPerRequest') },
      notIds: { requestsPerSec: pick('notIds', 'requestsPerSec'), cpuUsPerRequest: pick('notIds', 'cpuUsPerRequest') },
      errors: rounds.reduce((n, r) => n + r.ids.errors + r.notIds.errors, 0),
    };
  } finally {
    for (const s of servers) await children.stop(s.kus.child);
    for (const s of servers) removeStore(s.db);
  }
}
