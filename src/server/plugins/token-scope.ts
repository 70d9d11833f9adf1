// What each admin token may do, checked after authentication and before any handler: `admin` everything, `viewer`
// every read (GET/HEAD), `fleet-report` only the routes that name it (a replica's fleet reports). A route may list the
// scopes it admits (config.scopes); otherwise its method decides. Refusals are 403 KUS_ERR_FORBIDDEN.
import type { FastifyRequest, onRequestHookHandler } from 'fastify';
import { KusError } from '../../errors/index.js';
import type { TokenScope } from '../../services/tokens.js';

const READS = new Set(['GET', 'HEAD']);

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated token's scope (set with adminActor); null outside the admin scope. */
    adminScope: TokenScope | null;
  }
  interface FastifyContextConfig {
    /** The scopes that may call the route; default: admin and viewer for GET/HEAD, admin otherwise. */
    scopes?: readonly TokenScope[];
  }
}

/** The scopes a route admits. */
export function scopesOf(method: string, config: { scopes?: readonly TokenScope[] } | undefined): readonly TokenScope[] {
  return config?.scopes ?? (READS.has(method) ? ['admin', 'viewer'] : ['admin']);
}

const LACKS: Record<TokenScope, string> = {
  admin: '',
  viewer: 'viewer tokens only read (GET)',
  'fleet-report': 'fleet-report tokens only send a replica\'s fleet reports (POST /api/admin/v1/fleet/reports)',
};

/**
 * Installed after the bearer-token hook. `onRefused` is told of every refusal (the admin scope audits refused writes).
 */
export function tokenScope(onRefused: (request: FastifyRequest, error: KusError) => void): onRequestHookHandler {
  return function checkScope(request, _reply, done) {
    const scope = request.adminScope;
    const admitted = scopesOf(request.method, request.routeOptions.config);
    if (scope === null || admitted.includes(scope)) {
      done();
      return;
    }
    const where = (request.raw.url ?? '').split('?')[0]!;
    const name = request.adminActor?.name ?? '?';
    const error = new KusError('KUS_ERR_FORBIDDEN',
      `token ${JSON.stringify(name)} has scope ${scope}, which may not ${request.method} ${where}: ${LACKS[scope]}; ` +
      `this route needs a token of scope ${admitted.join(' or ')}`,
      { token: name, scope, needs: [...admitted] });
    onRefused(request, error);
    done(error);
  };
}
