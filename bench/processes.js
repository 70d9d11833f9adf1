// Child processes started by the benchmark: spawn them tracked, and kill every one of them on exit or error.
import { spawn } from 'node:child_process';

/**
 * Keeps the children of one benchmark run so that `killAll` can end them (by pid, never by name)
 * whatever way the run ends.
 */
export class Children {
  #live = new Set();

  /** Spawns a long-running child; its stdout/stderr are kept (tail only) for error messages. */
  start(command, args, options = {}) {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    const tail = { text: '' };
    const keep = (chunk) => {
      // Only the end of the output matters for diagnosing a failed start.
      tail.text = (tail.text + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.output = () => tail.text;
    child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    this.#live.add(child);
    child.once('exit', () => this.#live.delete(child));
    return child;
  }

  /** Stops one child: SIGTERM, then SIGKILL if it is still there after `graceMs`. */
  async stop(child, graceMs = 3000) {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await child.exited;
    clearTimeout(timer);
  }

  async stopAll() {
    await Promise.all([...this.#live].map((child) => this.stop(child)));
  }

  /** Synchronous last resort for process 'exit' handlers, where nothing can be awaited. */
  killAllNow() {
    for (const child of this.#live) child.kill('SIGKILL');
  }
}

/** Runs a command to completion with a time limit; resolves with its output, rejects on failure. */
export function runToEnd(command, args, { timeoutMs = 60_000, env, cwd } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env, cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => { stdout += c; });
    child.stderr.on('data', (c) => { stderr += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => { clearTimeout(timer); reject(err); });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${stderr || stdout}`));
    });
  });
}
