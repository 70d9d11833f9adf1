// Graph req/s with the fleet inventory recording (the default) against `--no-fleet`, with the polls carrying
// 100,000 distinct cluster ids (issue 12: recording must keep ≥ 0.95× of the req/s). Both servers serve copies of
// the same store, pinned to the server CPU like every other scenario, in alternating rounds.
import fs from 'node:fs';
import path from 'node:path';
import { waitQuiet, withCpuCost } from './cpu.js';
import { freePort } from './http.js';
import { GRAPH_PATH, startKus } from './kus.js';
import { range } from './stats.js';

export const FLEET_IDS = 100_000;

/**
 * A wrk script whose every request names the next of FLEET_IDS cluster ids (in turn), with a version and the query;
 * the first id is `start`, else a random one (each measured run starts elsewhere, as clusters poll in no order).
 */
function writeScript(dir, query, version, start) {
  const file = path.join(dir, start === undefined ? 'fleet-ids.lua' : `fleet-ids-from-${start}.lua`);
  fs.writeFileSync(file, `-- every request polls as the next of ${FLEET_IDS} clusters
math.randomseed(os.time())
local n = ${start === undefined ? `math.random(0, ${FLEET_IDS - 1})` : start - 1}
request = function()
  n = (n + 1) % ${FLEET_IDS}
  return wrk.format(nil, "${GRAPH_PATH}${query}&version=${encodeURIComponent(version)}&id=" .. string.format("00000000-0000-4000-8000-%012x", n))
end
`);
  return file;
}

/**
 * `ctx` = { children, repoRoot, dir, pin, load: {rounds, seconds}, warmup, wrk(url, seconds, script) }; `store` is a
 * closed store to copy; `request` the (channel, arch) to poll and `version` a node of it.
 */
export async function measureFleetRecording(ctx, { store, query, version }) {
  const { children, repoRoot, dir, pin, load, warmup, wrk } = ctx;
  const script = writeScript(dir, query, version);
  const servers = [];
  for (const [key, serveArgs] of [['on', []], ['off', ['--no-fleet']]]) {
    const db = path.join(dir, `fleet-${key}.db`);
    for (const suffix of ['', '-wal']) if (fs.existsSync(`${store}${suffix}`)) fs.copyFileSync(`${store}${suffix}`, `${db}${suffix}`);
    const kus = await startKus({ children, repoRoot, db, port: await freePort(), logFile: path.join(dir, `kus-fleet-${key}.log`), cpu: pin?.server ?? null, serveArgs });
    servers.push({ key, kus, url: `${kus.base}${GRAPH_PATH}${query}` });
  }
  try {
    for (const s of servers) await waitQuiet(s.kus.child.pid);
    // The warm-up polls every id once, in order (as many wrk runs as that takes), so that the recording server holds
    // and has written all 100,000 clusters, as a long-running server has: the measured polls are then of clusters it
    // knows, each written again once its last poll is a minute newer (a random start left most of them new: each a row).
    for (const s of servers) {
      let next = 0;
      for (let i = 0; next < FLEET_IDS && i < 40; i++) next += (await wrk(s.url, Math.max(warmup, 3), writeScript(dir, query, version, next))).requests;
    }
    const written = async () => {
      const text = await (await fetch(`${servers[0].kus.base}/metrics`)).text();
      const rows = Number(/^kus_fleet_rows_written_total (\d+)/m.exec(text)?.[1] ?? NaN);
      const polls = Number(/^kus_fleet_polls_total\{outcome="recorded"\} (\d+)/m.exec(text)?.[1] ?? NaN);
      return { rows, polls };
    };
    const before = await written();
    const runs = { on: [], off: [] };
    for (let round = 0; round < load.rounds; round++) {
      // Alternating which goes first, so that a drift in the machine's load does not favour one.
      const order = round % 2 === 0 ? servers : [...servers].reverse();
      // Server CPU per request (all its threads, the fleet writer's included): steadier than req/s on a shared machine.
      for (const s of order) runs[s.key].push(await withCpuCost(s.kus.child.pid, () => wrk(s.url, load.seconds, script)));
      const cpu = (r) => (r.cpuUserUsPerRequest + r.cpuSystemUsPerRequest).toFixed(1);
      console.log(`[fleet] round ${round + 1}: recording ${runs.on[round].requestsPerSec.toFixed(0)} req/s p99 ${runs.on[round].p99Ms} ms ${cpu(runs.on[round])} us CPU/req; ` +
        `--no-fleet ${runs.off[round].requestsPerSec.toFixed(0)} req/s p99 ${runs.off[round].p99Ms} ms ${cpu(runs.off[round])} us CPU/req`);
    }
    const after = await written();
    const metrics = await (await fetch(`${servers[0].kus.base}/metrics`)).text();
    const polls = Object.fromEntries([...metrics.matchAll(/^kus_fleet_polls_total\{outcome="(\w+)"\} (\d+)/gm)].map((m) => [m[1], Number(m[2])]));
    const non2xx = [...runs.on, ...runs.off].reduce((n, r) => n + r.non2xx + r.socketErrors, 0);
    const cpuUs = (r) => r.cpuUserUsPerRequest + r.cpuSystemUsPerRequest;
    return {
      ids: FLEET_IDS,
      version,
      on: { requestsPerSec: range(runs.on.map((r) => r.requestsPerSec)), p99Ms: range(runs.on.map((r) => r.p99Ms)) },
      off: { requestsPerSec: range(runs.off.map((r) => r.requestsPerSec)), p99Ms: range(runs.off.map((r) => r.p99Ms)) },
      ratio: range(runs.on.map((r, i) => r.requestsPerSec / runs.off[i].requestsPerSec)),
      cpuUsPerRequest: { on: range(runs.on.map(cpuUs)), off: range(runs.off.map(cpuUs)) },
      // The req/s the CPU cost alone allows (--no-fleet CPU per request / recording's), per round.
      cpuRatio: range(runs.on.map((r, i) => cpuUs(runs.off[i]) / cpuUs(r))),
      polls,
      // Of the polls recorded during the rounds, how many were written as a row (new, changed, or a minute newer).
      rowsPerPoll: (after.rows - before.rows) / (after.polls - before.polls),
      errors: non2xx,
    };
  } finally {
    for (const s of servers) await children.stop(s.kus.child);
  }
}
