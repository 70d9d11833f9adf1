// Which threads of `kus serve` yield the CPU to the one answering clusters. On Linux each thread has its own nice
// value, inherited by the threads it starts. When the server has fewer CPUs than busy threads (a pod limited to one
// core, a benchmark pinned to one), the scheduler shares a CPU by weight and in slices of up to a timer tick (4 ms at
// this kernel's 250 Hz): every thread left at nice 0 beside the serving thread holds clusters' requests for a tick
// whenever it runs. Measured in docs/architecture.md ("Every thread but the serving one runs at nice 10").
import { readdirSync, readlinkSync } from 'node:fs';
import os from 'node:os';

/** The nice value of every thread but the serving one: a thread at nice 0 gets ten times its CPU share when both want it. */
export const BACKGROUND_NICE = 10;

/** Lowers a thread to BACKGROUND_NICE unless it is already lower; false if the thread is gone or it is not allowed. */
function lower(tid: number): boolean {
  try {
    if (os.getPriority(tid) < BACKGROUND_NICE) os.setPriority(tid, BACKGROUND_NICE);
    return true;
  } catch {
    return false;
  }
}

function ownThreadId(): string | undefined {
  try {
    return readlinkSync('/proc/thread-self').split('/').pop();
  } catch {
    return undefined; // not Linux
  }
}

/** For a worker thread (the build worker, the fleet writer), whoever started it: its own work waits for the serving thread's. */
export function lowerThisThread(): void {
  const tid = Number(ownThreadId());
  if (Number.isInteger(tid) && tid > 0) lower(tid);
}

/**
 * Every thread of the process but the main one, which answers clusters, and the caller: at start (V8's helper threads,
 * which run the collector's parallel and concurrent work and the optimizing compiler for every isolate — the build
 * worker's too, whose collections at upstream scale take about as much CPU per publish as its build — and libuv's
 * pool, if started) and right after the main thread starts a worker. A new thread inherits its starter's value, and a
 * worker that lowered only itself would first load its modules at nice 0 (a few hundred ms at start). Returns how many
 * threads are now low; 0 where threads have no nice value of their own.
 */
export function lowerOtherThreads(): number {
  const self = ownThreadId();
  if (self === undefined) return 0;
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return 0;
  }
  const main = String(process.pid);
  let lowered = 0;
  for (const tid of tids) if (tid !== self && tid !== main && lower(Number(tid))) lowered++;
  return lowered;
}
