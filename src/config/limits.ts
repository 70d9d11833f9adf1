// The HTTP server's limits (`kus serve --request-timeout/--headers-timeout/--max-connections/--mirror-body-limit/
// --auth-failure-limit`): what an unauthenticated or slow client may hold, validated once, frozen.
import { KusError, quote } from '../errors/index.js';

export interface ServerLimits {
  /** Milliseconds a client has to send a whole request, headers and body (Node's server.requestTimeout); then 408. */
  readonly requestTimeoutMs: number;
  /** Milliseconds a client has to send the request headers (server.headersTimeout); at most requestTimeoutMs. */
  readonly headersTimeoutMs: number;
  /** Open connections at once (server.maxConnections); further ones are closed at accept. */
  readonly maxConnections: number;
  /** Bytes of a POST /api/admin/v1/mirror body (the graph document). */
  readonly mirrorBodyBytes: number;
  /** Failed bearer-token attempts one address may make per window before its admin requests get 429. */
  readonly authFailures: { readonly max: number; readonly windowMs: number };
}

/**
 * Why these numbers: a cluster's request is a few hundred bytes, so 10 s for headers and 60 s for a whole request
 * are generous even for a large admin upload on a slow link; 1024 connections is a fleet of thousands of clusters
 * polling every few minutes (each poll a short request) with room to spare, and bounded memory for idle or dripping
 * ones; upstream's largest channel documents are a few MB, and 8 MiB of JSON parses in about 0.1 s here (see
 * docs/limits.md for the measurements); 10 wrong tokens a minute is more than a person mistyping.
 */
export const LIMIT_DEFAULTS: ServerLimits = Object.freeze({
  requestTimeoutMs: 60_000,
  headersTimeoutMs: 10_000,
  maxConnections: 1024,
  mirrorBodyBytes: 8 * 1024 * 1024,
  authFailures: Object.freeze({ max: 10, windowMs: 60_000 }),
});

export interface LimitsFlags {
  requestTimeout?: string | undefined;
  headersTimeout?: string | undefined;
  maxConnections?: string | undefined;
  mirrorBodyLimit?: string | undefined;
  authFailureLimit?: string | undefined;
}

export const LIMITS_ENV = {
  requestTimeout: 'KUS_REQUEST_TIMEOUT',
  headersTimeout: 'KUS_HEADERS_TIMEOUT',
  maxConnections: 'KUS_MAX_CONNECTIONS',
  mirrorBodyLimit: 'KUS_MIRROR_BODY_LIMIT',
  authFailureLimit: 'KUS_AUTH_FAILURE_LIMIT',
} as const satisfies Record<keyof LimitsFlags, string>;

const FLAG_NAMES: Record<keyof LimitsFlags, string> = {
  requestTimeout: '--request-timeout',
  headersTimeout: '--headers-timeout',
  maxConnections: '--max-connections',
  mirrorBodyLimit: '--mirror-body-limit',
  authFailureLimit: '--auth-failure-limit',
};

type Source = { value: string; from: string };

function pick(flags: LimitsFlags, env: NodeJS.ProcessEnv, key: keyof LimitsFlags): Source | undefined {
  const flag = flags[key];
  if (flag !== undefined) return { value: flag, from: FLAG_NAMES[key] };
  const fromEnv = env[LIMITS_ENV[key]];
  return fromEnv !== undefined && fromEnv !== '' ? { value: fromEnv, from: LIMITS_ENV[key] } : undefined;
}

function number(src: Source, min: number, max: number, integer: boolean, what: string): number {
  const text = src.value.trim();
  const n = Number(text);
  if (!(integer ? /^\d+$/ : /^\d+(\.\d+)?$/).test(text) || n < min || n > max) {
    throw new KusError('KUS_ERR_CONFIG', `${src.from} ${quote(src.value)} is not ${what}`, { setting: src.from, value: src.value });
  }
  return n;
}

/** Flags win over environment variables, which win over LIMIT_DEFAULTS; a bad value is KUS_ERR_CONFIG naming it. */
export function loadLimitsConfig(flags: LimitsFlags = {}, env: NodeJS.ProcessEnv = {}): ServerLimits {
  const seconds = (key: 'requestTimeout' | 'headersTimeout', fallbackMs: number): number => {
    const src = pick(flags, env, key);
    return src ? Math.round(number(src, 0.1, 3600, false, 'a number of seconds (from 0.1 to 3600)') * 1000) : fallbackMs;
  };
  const requestTimeoutMs = seconds('requestTimeout', LIMIT_DEFAULTS.requestTimeoutMs);
  const headersSrc = pick(flags, env, 'headersTimeout');
  // Node refuses a headers timeout longer than the request timeout; a shorter request timeout alone lowers both.
  const headersTimeoutMs = headersSrc ? seconds('headersTimeout', 0) : Math.min(LIMIT_DEFAULTS.headersTimeoutMs, requestTimeoutMs);
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new KusError('KUS_ERR_CONFIG',
      `${headersSrc!.from} ${quote(headersSrc!.value)} is longer than the request timeout (${requestTimeoutMs / 1000} s): the headers are part of the request`,
      { setting: headersSrc!.from, value: headersSrc!.value });
  }
  const connections = pick(flags, env, 'maxConnections');
  const mirror = pick(flags, env, 'mirrorBodyLimit');
  const failures = pick(flags, env, 'authFailureLimit');
  return Object.freeze({
    requestTimeoutMs,
    headersTimeoutMs,
    maxConnections: connections ? number(connections, 1, 1_000_000, true, 'a number of connections (from 1 to 1000000)') : LIMIT_DEFAULTS.maxConnections,
    mirrorBodyBytes: mirror ? number(mirror, 1, 1024, true, 'a size in MiB (from 1 to 1024)') * 1024 * 1024 : LIMIT_DEFAULTS.mirrorBodyBytes,
    authFailures: Object.freeze({
      max: failures ? number(failures, 1, 1_000_000, true, 'a number of failed attempts per minute (from 1 to 1000000)') : LIMIT_DEFAULTS.authFailures.max,
      windowMs: LIMIT_DEFAULTS.authFailures.windowMs,
    }),
  });
}
