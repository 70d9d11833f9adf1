// Child processes started by the benchmark: spawn them tracked, and kill every one of them on exit or error.
import { spawn } from 'node:child_process';
import fs from 'node:fs';

/**
 * Keeps the children of one benchmark run so that `killAll` can end them (by pid, never by name)
 * whatever way the run ends.
 */
export class Children {
  #live = new Set();

  /**
   * Spawns a long-running child whose stdout and stderr go to `logFile` (a file, not a pipe, so that a chatty
   * server does not make this process spend CPU next to the one being measured).
   */
  start(command, args, { logFile, ...options }) {
    const fd = fs.openSync(logFile, 'a');
    const child = spawn(command, args, { stdio: ['ignore', fd, fd], ...options });
    fs.closeSync(fd);
    // Only the end of the log matters for diagnosing a failed start.
    child.output = () => tailOf(logFile, 4000);
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

/** The last `bytes` of a text file ('' when it does not exist). */
export function tailOf(file, bytes) {
  if (!fs.existsSync(file)) return '';
  const text = fs.readFileSync(file, 'utf8');
  return text.slice(-bytes);
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
