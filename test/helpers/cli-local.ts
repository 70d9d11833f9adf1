// Shared by the CLI tests on a local store: run the built `kus` on a --db file, parse its JSON, read the store.
import os from 'node:os';
import type { Test } from 'tap';
import { openStore } from '../../src/store/index.js';
import { runKus, type CliResult } from './run-cli.js';

export const digest = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;
export const payload = (n: number): string => `registry.kylinsec.example/ocp4/release@${digest(n)}`;
/** The audit actor of the CLI on a local store. */
export const localActor = `local:${os.userInfo().username}`;

/** Runs kus on the given store with no server or token inherited from the environment. */
export function kusOn(db: string): (...args: string[]) => CliResult {
  return (...args) => runKus([...args, '--db', db], { KUS_TOKEN: '' });
}

export function json<T>(r: CliResult): T {
  return JSON.parse(r.stdout) as T;
}

/** What the store holds, read with the store's own code. */
export function stored(db: string) {
  const store = openStore(db);
  try {
    return { ...store.loadGraphInput(), audit: store.audit.list(1000) };
  } finally {
    store.close();
  }
}

/** Asserts exit 0, with stderr as the message so that a failure says why. */
export function succeeds(t: Test, r: CliResult): CliResult {
  t.equal(r.status, 0, r.stderr.trim() || 'exit 0');
  return r;
}
