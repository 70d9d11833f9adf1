// Which threads of `kus serve` yield the CPU to the one answering clusters. On Linux each thread has its own nice
// value, inherited by the threads it starts. When the server has fewer CPUs than busy threads (a pod limited to one
// core, a benchmark pinned to one), the scheduler shares a CPU by weight and in slices of up to a timer tick (4 ms at
// this kernel's 250 Hz): every thread left at nice 0 beside the serving thread holds clusters' requests for a tick
// whenever it runs. Measured in docs/architecture.md ("Every thread but the serving one runs at nice 10").
import { readdirSync } from 'node:fs';
import os from 'node:os';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** The nice value of every thread but the serving one: a thread at nice 0 gets ten times its CPU share when both want it. */
export const BACKGROUND_NICE = 10;

/** Lowers a thread to BACKGROUND_NICE unless it is already lower. */
function lower(tid: number): void {
  try {
    if (os.getPriority(tid) < BACKGROUND_NICE) os.setPriority(tid, BACKGROUND_NICE);
  } catch {
    // The thread is gone, or lowering is not allowed: it keeps its value.
  }
}

/**
 * Every thread of the process but the main one, which answers clusters. At start that is V8's helper threads (the
 * collector's parallel and concurrent work and the optimizing compiler, for every isolate: at upstream scale 41–115 ms
 * of CPU per publish, the serving thread's collections included, beside the build worker's own 68–114 ms) and
 * libuv's pool, if started. backgroundWorker calls it again as soon as a worker's thread exists: a new thread inherits
 * its starter's value, and a worker that lowered itself would first load its modules at nice 0 (about 100 ms).
 */
export function lowerOtherThreads(): void {
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return; // not Linux: threads have no nice value of their own
  }
  const main = String(process.pid);
  for (const tid of tids) if (tid !== main) lower(Number(tid));
}

/** A worker for background work (builds, fleet writes): its thread is lowered before it runs any of its code. */
export function backgroundWorker(url: URL, options: WorkerOptions): Worker {
  const worker = new Worker(url, options);
  lowerOtherThreads();
  return worker;
}
