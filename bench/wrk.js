// Runs wrk against one URL and parses requests/s, the latency percentiles and the maximum from its --latency report.
import { onCpu } from './pin.js';
import { runToEnd } from './processes.js';

const unitsToMs = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function toMs(text) {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (!m) throw new Error(`wrk: cannot read the duration '${text}'`);
  return Number(m[1]) * unitsToMs[m[2]];
}

/** Parses wrk 4 output; throws when a figure the benchmark relies on is missing. */
export function parseWrk(output) {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output);
  const total = /(\d+) requests in ([\d.]+\w+), ([\d.]+\w+) read/.exec(output);
  if (!rps || !total) throw new Error(`wrk: unexpected output:\n${output}`);
  const percentiles = {};
  for (const m of output.matchAll(/^\s+(50|75|90|99)%\s+([\d.]+\w+)\s*$/gm)) percentiles[m[1]] = toMs(m[2]);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const requests = Number(total[1]);
  if (requests === 0) {
    // Nothing answered within the run (a server stalled throughout): no latency to report, and no fake zeros.
    return { requestsPerSec: 0, requests, duration: total[2], transferred: total[3], p50Ms: null, p75Ms: null, p90Ms: null, p99Ms: null, maxMs: null,
      non2xx: 0, socketErrors: socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0 };
  }
  if (percentiles['50'] === undefined || percentiles['99'] === undefined) {
    throw new Error(`wrk: no latency distribution in the output (was --latency given?):\n${output}`);
  }
  // "    Latency   1.71ms  402.25us  12.85ms   91.53%": avg, stdev, max, share within one stdev.
  const latency = /^\s+Latency\s+\S+\s+\S+\s+([\d.]+\w+)/m.exec(output);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(output);
  return {
    requestsPerSec: Number(rps[1]),
    requests,
    duration: total[2],
    transferred: total[3],
    p50Ms: percentiles['50'],
    p75Ms: percentiles['75'],
    p90Ms: percentiles['90'],
    p99Ms: percentiles['99'],
    maxMs: latency ? toMs(latency[1]) : null,
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    socketErrors: socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
  };
}

/**
 * One wrk run; `headers` is a plain object; durations in seconds; `cpu` pins wrk (null: unpinned). wrk leaves
 * requests slower than `timeoutSeconds` out of its latencies (it counts them as timeouts): keep it above any stall
 * the run is meant to see. `script` is a wrk Lua script (its `request` function builds each request).
 */
export async function runWrk({ wrkPath, url, threads, connections, seconds, headers, cpu = null, timeoutSeconds = 5, script = null }) {
  const args = [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--latency', '--timeout', `${timeoutSeconds}s`];
  // A Lua script that writes each request (bench/fleet.js: a different cluster id per request).
  if (script) args.push('-s', script);
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
  args.push(url);
  // wrk stops itself after -d; the limit only guards against a hung process.
  const pinned = onCpu(cpu, wrkPath, args);
  const { stdout } = await runToEnd(pinned.command, pinned.args, { timeoutMs: (seconds + timeoutSeconds + 30) * 1000 });
  return { ...parseWrk(stdout), command: `wrk ${args.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}` };
}
