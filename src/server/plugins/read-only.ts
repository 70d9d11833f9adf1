// A replica answers every admin write with 409 KUS_ERR_READ_ONLY naming its primary, before authentication: the
// replica holds no tokens, and the caller needs to learn where to write, not that its token is unknown here.
import type { FastifyInstance } from 'fastify';
import { KusError, quote } from '../../errors/index.js';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Install on the root instance before the admin scope is registered, so that the hook runs ahead of its auth.
 * It goes by the route Fastify matched as well as by the URL: a percent-encoded spelling of the admin prefix
 * (`/api/%61dmin/v1/channels`) reaches the same route, and must get the same answer.
 */
export function installReadOnly(app: FastifyInstance, options: { primary: string; adminPrefix: string }): void {
  const prefix = `${options.adminPrefix}/`;
  app.addHook('onRequest', (request, _reply, done) => {
    const isAdmin = (path: string): boolean => path === options.adminPrefix || path.startsWith(prefix);
    const where = (request.raw.url ?? '').split('?')[0]!;
    if (READS.has(request.method) || !(isAdmin(request.routeOptions.url ?? '') || isAdmin(where))) {
      done();
      return;
    }
    done(new KusError('KUS_ERR_READ_ONLY',
      `this server is a read-only replica of ${quote(options.primary)}; send ${request.method} ${where} to the primary ` +
      `(${options.primary}${where}, or kus --server ${options.primary})`, { primary: options.primary }));
  });
}
