// The admin scope's one authentication hook: a valid bearer token, or 401 with WWW-Authenticate before any handler;
// 429 for an address that failed too often (plugins/auth-failures.ts).
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { KusError } from '../../errors/index.js';
import type { TokenScope } from '../../services/tokens.js';
import type { AuthFailureGuard } from './auth-failures.js';

export interface TokenVerifier {
  /** The token's name when valid; the comparison is constant-time inside. */
  verify(presented: string): { name: string; scope: TokenScope } | null;
}

const REALM = 'Bearer realm="kus-admin"';
const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

/** The header is only ever read here; handlers get `request.adminActor` (and plugins/token-scope.ts `request.adminScope`). Messages never echo what was presented. */
export function bearerAuth(tokens: TokenVerifier, guard: AuthFailureGuard): onRequestAsyncHookHandler {
  return async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    // Checked before the token, so that a blocked address learns nothing about the tokens it tries.
    const wait = await guard.blockedFor(request);
    if (wait !== null) {
      reply.header('retry-after', String(wait));
      throw new KusError('KUS_ERR_RATE_LIMITED',
        `too many invalid bearer tokens from ${request.ip}; admin requests from this address are refused for ${wait} s more`, { retryAfterSeconds: wait });
    }
    const header = request.headers.authorization;
    const presented = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
    if (presented === undefined) {
      reply.header('www-authenticate', REALM);
      throw new KusError('KUS_ERR_UNAUTHORIZED',
        'this admin route needs "Authorization: Bearer <token>"; create a token on the server host with "kus token create --db FILE --name NAME"');
    }
    const who = tokens.verify(presented);
    if (!who) {
      await guard.failed(request);
      reply.header('www-authenticate', `${REALM}, error="invalid_token"`);
      throw new KusError('KUS_ERR_UNAUTHORIZED', 'the bearer token is not valid (unknown or revoked); "kus token list" shows the active tokens');
    }
    request.adminActor = { name: who.name };
    request.adminScope = who.scope;
  };
}
