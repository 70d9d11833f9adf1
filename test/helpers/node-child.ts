// A child node whose stdout goes to a file, not a pipe: under tap, 9 of 12 children printing into a pipe had their
// output cut short (3–5.6 KB of ~11 KB), and CI failed on one; none of 40 printing into a file did.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

/** Runs `node ARGS` with `env`; returns what it printed to stdout (through the file `out`). Throws when it fails. */
export function nodeChild(out: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs?: number): string {
  const fd = fs.openSync(out, 'w');
  let run;
  try {
    run = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', fd, 'pipe'], env, ...(timeoutMs === undefined ? {} : { timeout: timeoutMs }) });
  } finally {
    fs.closeSync(fd);
  }
  if (run.status !== 0) throw new Error(`child failed (${run.status}): ${run.stderr}`);
  return fs.readFileSync(out, 'utf8');
}
