// Signing test tools: the cvo-probe binary (the cluster's verifier), throw-away gpg homes, OpenPGP.js keys and messages.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as openpgp from 'openpgp';
import { sharedDir } from './shared-fixtures.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

/** tap's `skip`: a message when gpg or the cvo-probe sources are missing. */
export function signingSkip(): string | false {
  if (spawnSync('gpg', ['--version']).status !== 0) return 'gpg is missing (apt-get install gnupg)';
  if (!process.env.CVO_PROBE && !existsSync(path.join(sharedDir, 'cvo-probe', 'build.sh'))) {
    return `../shared/cvo-probe is absent (${sharedDir}): cannot build the cluster's verifier`;
  }
  return false;
}

let built: string | undefined;

/**
 * $CVO_PROBE, or the probe built once per test file from ../shared/cvo-probe into a temp dir. The dir goes when the
 * file's process exits, not with a test: later tests of the same file reuse the binary.
 */
export function probeBinary(): string {
  const fromEnv = process.env.CVO_PROBE;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CVO_PROBE=${JSON.stringify(fromEnv)} does not exist`);
    return fromEnv;
  }
  if (built) return built;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kus-sign-probe-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const out = path.join(dir, 'cvo-probe');
  const r = spawnSync('bash', [path.join(sharedDir, 'cvo-probe/build.sh'), out], { encoding: 'utf8', timeout: 240_000 });
  if (r.status !== 0) throw new Error(`building cvo-probe failed (exit ${r.status}): ${r.stderr}${r.error ?? ''}`);
  built = out;
  return out;
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], options: { env?: NodeJS.ProcessEnv; input?: string | Buffer; cwd?: string } = {}): Run {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...options.env },
    ...(options.input !== undefined ? { input: options.input } : {}), ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A throw-away GNUPGHOME; its agent is stopped at teardown. */
export function gpgHome(t: Teardown): { home: string; gpg: (args: string[], input?: string | Buffer) => Run } {
  const home = mkdtempSync(path.join(os.tmpdir(), 'kus-gnupg-'));
  t.teardown(() => {
    spawnSync('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, GNUPGHOME: home } });
    rmSync(home, { recursive: true, force: true });
  });
  const gpg = (args: string[], input?: string | Buffer): Run =>
    run('gpg', ['--batch', '--no-tty', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], { env: { GNUPGHOME: home }, ...(input !== undefined ? { input } : {}) });
  return { home, gpg };
}

/** An OpenPGP.js key pair (unencrypted private key), RSA unless asked otherwise. */
export async function jsKey(options: { name: string; type?: 'rsa' | 'curve25519'; date?: Date; expiresInSeconds?: number; v6?: boolean }) {
  return openpgp.generateKey({
    type: options.type ?? 'rsa',
    ...(options.type === 'curve25519' ? {} : { rsaBits: 2048 }),
    userIDs: [{ name: options.name, email: `${options.name}@example.com` }],
    format: 'object',
    ...(options.date ? { date: options.date } : {}),
    ...(options.expiresInSeconds ? { keyExpirationTime: options.expiresInSeconds } : {}),
    ...(options.v6 ? { config: { v6Keys: true } } : {}),
  });
}

/** The claim KUS (and a careful offline signer) signs. */
export function claim(digest: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    critical: { type: 'atomic container signature', image: { 'docker-manifest-digest': digest }, identity: { 'docker-reference': 'registry.example/kylin/release' } },
    optional: { creator: 'offline signer', ...extra },
  });
}

/** A binary signed message of `content` by `key` (what gpg --sign makes, uncompressed). */
export async function jsSign(content: string | Uint8Array, key: openpgp.PrivateKey, date?: Date): Promise<Uint8Array> {
  const message = await openpgp.createMessage({ binary: typeof content === 'string' ? Buffer.from(content) : content });
  return openpgp.sign({ message, signingKeys: key, format: 'binary', ...(date ? { date } : {}) });
}
