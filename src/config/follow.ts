// Replica settings of `kus serve --follow URL`: the primary's base URL, the poll interval, an extra CA; validated, frozen.
import path from 'node:path';
import { KusError, quote } from '../errors/index.js';

export interface FollowConfig {
  /** The primary's base URL without a trailing slash, e.g. http://kus-primary:8080. */
  readonly primary: string;
  /** Seconds between two conditional fetches of the primary's graph-data. */
  readonly intervalSeconds: number;
  /** PEM CA certificates trusted for an https primary besides the system ones; null for none. */
  readonly caFile: string | null;
}

export interface FollowFlags {
  follow?: string | undefined;
  followInterval?: string | undefined;
  followCaFile?: string | undefined;
}

export const FOLLOW_ENV = { follow: 'KUS_FOLLOW', followInterval: 'KUS_FOLLOW_INTERVAL', followCaFile: 'KUS_FOLLOW_CA_FILE' } as const;
export const DEFAULT_FOLLOW_INTERVAL_SECONDS = 30;

function pick(flags: FollowFlags, env: NodeJS.ProcessEnv, key: keyof FollowFlags): { value: string; from: string } | undefined {
  const flag = flags[key];
  if (flag !== undefined) return { value: flag, from: `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` };
  const fromEnv = env[FOLLOW_ENV[key]];
  return fromEnv !== undefined && fromEnv !== '' ? { value: fromEnv, from: FOLLOW_ENV[key] } : undefined;
}

function fail(src: { value: string; from: string }, why: string): never {
  throw new KusError('KUS_ERR_CONFIG', `${src.from} ${quote(src.value)} ${why}`, { setting: src.from, value: src.value });
}

/** Null when this server is not a replica; throws KUS_ERR_CONFIG naming the bad setting. */
export function loadFollowConfig(flags: FollowFlags, env: NodeJS.ProcessEnv = {}): FollowConfig | null {
  const primary = pick(flags, env, 'follow');
  const interval = pick(flags, env, 'followInterval');
  const ca = pick(flags, env, 'followCaFile');
  if (!primary) {
    for (const src of [interval, ca]) if (src) fail(src, 'is given without --follow URL (only a replica follows a primary)');
    return null;
  }
  let url: URL;
  try {
    url = new URL(primary.value.trim());
  } catch {
    return fail(primary, 'is not a URL; give the primary\'s base URL, e.g. http://kus-primary:8080');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(primary, 'is not an http or https URL');
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') fail(primary, 'must be a base URL without query, fragment or credentials');
  let intervalSeconds = DEFAULT_FOLLOW_INTERVAL_SECONDS;
  if (interval) {
    const text = interval.value.trim();
    intervalSeconds = Number(text);
    if (!/^\d+(\.\d+)?$/.test(text) || intervalSeconds <= 0 || intervalSeconds > 86400) fail(interval, 'is not a number of seconds (more than 0, at most a day)');
  }
  if (ca && (ca.value.trim() === '' || ca.value.includes('\0'))) fail(ca, 'is not a usable path');
  return Object.freeze({
    primary: url.href.replace(/\/+$/, ''),
    intervalSeconds,
    caFile: ca ? path.resolve(ca.value) : null,
  });
}
