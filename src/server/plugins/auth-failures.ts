// Failed bearer-token attempts on the admin API: counted in /metrics, logged (a bounded number of lines), and limited
// per client address with @fastify/rate-limit: after `max` failures in a window every admin request from that
// address is answered 429 until the window ends, whatever token it carries, so guessing gains nothing from the answer.
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import type { Counter } from 'prom-client';

export interface AuthFailureLimit {
  /** Failures one address may make per window; the next admin request is refused. */
  max: number;
  windowMs: number;
}

export interface AuthFailureGuard {
  /** Seconds until the address may try again when it is blocked, else null. */
  blockedFor(request: FastifyRequest): Promise<number | null>;
  /** Counts, logs and remembers one invalid token from the request's address. */
  failed(request: FastifyRequest): Promise<void>;
}

/** Log lines about failed tokens per minute, all addresses together: a flood must not become a flood of log lines. */
const LOG_LINES_PER_MINUTE = 20;

/** At most `perMinute` calls of `log` a minute; the next line after a quiet spell says how many were left out. */
function throttledLog(perMinute: number) {
  // Hand-written: a fixed one-minute window of lines is all this needs; a library's token bucket adds nothing here.
  let windowStart = 0;
  let lines = 0;
  let suppressed = 0;
  return (logger: FastifyBaseLogger, fields: Record<string, unknown>, message: string): void => {
    const now = Date.now();
    if (now - windowStart >= 60_000) {
      windowStart = now;
      lines = 0;
    }
    if (lines >= perMinute) {
      suppressed++;
      return;
    }
    lines++;
    logger.warn(suppressed > 0 ? { ...fields, suppressedLines: suppressed } : fields, message);
    suppressed = 0;
  };
}

/**
 * Registers @fastify/rate-limit on the (admin) scope with no route limit of its own (global: false): its store counts
 * failures only, keyed by client address (IPv6 by /64), in an LRU of at most 5,000 addresses.
 */
export async function authFailureGuard(scope: FastifyInstance, limit: AuthFailureLimit, counter: Counter<'reason'>): Promise<AuthFailureGuard> {
  await scope.register(rateLimit, { global: false });
  const limiter = scope.createRateLimit({ max: limit.max, timeWindow: limit.windowMs });
  const log = throttledLog(LOG_LINES_PER_MINUTE);
  return {
    async blockedFor(request) {
      const state = await limiter(request, { increment: false });
      if (state.isAllowed || state.remaining > 0) return null;
      counter.inc({ reason: 'rate_limited' });
      return Math.max(1, state.ttlInSeconds);
    },
    async failed(request) {
      counter.inc({ reason: 'invalid_token' });
      const state = await limiter(request);
      if (state.isAllowed) return;
      const failures = state.max - state.remaining;
      // One line when an address starts failing and one when it gets blocked, within the overall cap.
      if (failures === 1 || failures === state.max) {
        log(request.log, { address: state.key, failures, windowSeconds: limit.windowMs / 1000, url: request.url },
          failures === state.max ? 'admin token refused; the address is refused (429) until the window ends' : 'admin token refused (unknown or revoked)');
      }
    },
  };
}
