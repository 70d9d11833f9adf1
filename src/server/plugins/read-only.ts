// A replica answers every admin write with 409 KUS_ERR_READ_ONLY naming its primary, before authentication: the
// replica holds no tokens, and the caller needs to learn where to write, not that its token is unknown here.
import type { FastifyInstance } from 'fastify';
import { KusError, quote } from '../../errors/index.js';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Install on the root instance before the admin scope is registered, so that the hook runs ahead of its auth. */
export function installReadOnly(app: FastifyInstance, options: { primary: string; adminPrefix: string }): void {
  const prefix = `${options.adminPrefix}/`;
  app.addHook('onRequest', (request, _reply, done) => {
    const url = request.raw.url ?? '';
    if (READS.has(request.method) || !(url === options.adminPrefix || url.startsWith(prefix))) {
      done();
      return;
    }
    done(new KusError('KUS_ERR_READ_ONLY',
      `this server is a read-only replica of ${quote(options.primary)}; send ${request.method} ${url.split('?')[0]} to the primary ` +
      `(${options.primary}${url.split('?')[0]}, or kus --server ${options.primary})`, { primary: options.primary }));
  });
}
