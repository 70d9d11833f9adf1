// CPU pinning (taskset): the server under test on one CPU, wrk and this orchestrator on another, so that the
// load generator never steals the server's CPU. Unpinned, nginx on this machine jumped between ~38k and ~60k
// req/s from run to run (issue 9).
import { spawnSync } from 'node:child_process';
import os from 'node:os';

/** { server, load } CPU numbers, or null when pinning is off or impossible (one CPU, no taskset). */
export function pinPlan(wanted) {
  if (!wanted) return null;
  const taskset = spawnSync('taskset', ['--version'], { encoding: 'utf8' });
  if (taskset.status !== 0) throw new Error('taskset (util-linux) is missing: install it, or run with --no-pin');
  const allowed = allowedCpus();
  if (allowed.length < 2) throw new Error(`only CPU(s) ${allowed.join(',')} are available; pinning needs two (run with --no-pin)`);
  return { server: allowed[0], load: allowed[1] };
}

/** The CPUs this process may run on (from its affinity mask, not os.cpus(): a container can restrict it). */
function allowedCpus() {
  const out = spawnSync('taskset', ['-c', '-p', String(process.pid)], { encoding: 'utf8' });
  const list = /:\s*([\d,\s-]+)$/m.exec(out.stdout)?.[1];
  if (!list) return os.cpus().map((_, i) => i);
  return list.split(',').flatMap((part) => {
    const [a, b] = part.trim().split('-').map(Number);
    return b === undefined ? [a] : Array.from({ length: b - a + 1 }, (_, i) => a + i);
  });
}

/** `command args` run on `cpu` (unchanged when cpu is null); taskset execs the command, so the pid stays its own. */
export function onCpu(cpu, command, args) {
  return cpu === null || cpu === undefined ? { command, args } : { command: 'taskset', args: ['-c', String(cpu), command, ...args] };
}

/** Moves a running process and all its threads to `cpu`. */
export function movePid(pid, cpu) {
  if (cpu === null || cpu === undefined) return;
  const out = spawnSync('taskset', ['-a', '-c', '-p', String(cpu), String(pid)], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`taskset -a -c -p ${cpu} ${pid}: ${out.stderr.trim()}`);
}
