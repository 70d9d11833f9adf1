// CPU time of a process and its direct children from /proc: user and system ms, to give CPU cost per request.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

function childrenOf(pid) {
  const file = `/proc/${pid}/task/${pid}/children`;
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

/** utime and stime (ms) summed over `pid` and its children (nginx: master + workers). */
export function cpuTimes(pid) {
  let user = 0;
  let system = 0;
  for (const p of [pid, ...childrenOf(pid)]) {
    // The command name (field 2) is in parentheses and may contain spaces: split after the last ')'.
    const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    user += Number(fields[11]);
    system += Number(fields[12]);
  }
  return { userMs: (user * 1000) / ticksPerSecond, systemMs: (system * 1000) / ticksPerSecond };
}

/** CPU µs (user + system) `pid` used per request since `before` (a cpuTimes reading), over `requests`. */
export function cpuUsPerRequestSince(pid, before, requests) {
  const now = cpuTimes(pid);
  return ((now.userMs + now.systemMs - before.userMs - before.systemMs) * 1000) / requests;
}

/** Runs `fn` (a wrk run returning { requests }) and adds the server's CPU µs per request, user and system. */
export async function withCpuCost(pid, fn) {
  const before = cpuTimes(pid);
  const result = await fn();
  const after = cpuTimes(pid);
  const per = (key) => ((after[key] - before[key]) * 1000) / result.requests;
  return { ...result, cpuUserUsPerRequest: per('userMs'), cpuSystemUsPerRequest: per('systemMs') };
}

/**
 * Waits until `pid` (and its children) used less than `maxShare` of a CPU over `windowMs`, or `timeoutMs` passed:
 * after a write KUS keeps rendering and compressing bodies in the background, and an "idle" figure taken meanwhile
 * would not be idle. Returns the ms waited (null when it timed out).
 */
export async function waitQuiet(pid, { windowMs = 500, maxShare = 0.05, timeoutMs = 60_000 } = {}) {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    const before = cpuTimes(pid);
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const after = cpuTimes(pid);
    if ((after.userMs + after.systemMs - before.userMs - before.systemMs) / windowMs < maxShare) return performance.now() - started;
  }
  return null;
}
