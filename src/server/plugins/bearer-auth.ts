// The admin scope's one authentication hook: a valid bearer token, or 401 with WWW-Authenticate before any handler.
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { KusError } from '../../errors/index.js';

export interface TokenVerifier {
  /** The token's name when valid; the comparison is constant-time inside. */
  verify(presented: string): { name: string } | null;
}

const REALM = 'Bearer realm="kus-admin"';
const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

/** The header is only ever read here; handlers get `request.adminActor`. Messages never echo what was presented. */
export function bearerAuth(tokens: TokenVerifier): onRequestHookHandler {
  return function authenticate(request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void {
    const header = request.headers.authorization;
    const presented = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
    if (presented === undefined) {
      reply.header('www-authenticate', REALM);
      done(new KusError('KUS_ERR_UNAUTHORIZED',
        'this admin route needs "Authorization: Bearer <token>"; create a token on the server host with "kus token create --db FILE --name NAME"'));
      return;
    }
    const who = tokens.verify(presented);
    if (!who) {
      reply.header('www-authenticate', `${REALM}, error="invalid_token"`);
      done(new KusError('KUS_ERR_UNAUTHORIZED', 'the bearer token is not valid (unknown or revoked); "kus token list" shows the active tokens'));
      return;
    }
    request.adminActor = { name: who.name };
    done();
  };
}
