// Fastify's "body too large" as KUS_ERR_TOO_LARGE, naming the route's limit (and the flag that sets it, if any).
import type { FastifyError, FastifyRequest } from 'fastify';
import { KusError } from '../../errors/index.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The `kus serve` flag that sets this route's body limit, named when a body is refused for its size. */
    bodyLimitFlag?: string;
  }
}

const formatBytes = (n: number): string => (n >= 1024 * 1024 ? `${+(n / 1024 / 1024).toFixed(1)} MiB` : `${+(n / 1024).toFixed(1)} KiB`);

/** The KusError for a body over the route's limit; undefined for any other error. */
export function tooLargeError(err: FastifyError, request: FastifyRequest): KusError | undefined {
  if (err.code !== 'FST_ERR_CTP_BODY_TOO_LARGE') return undefined;
  const limit = request.routeOptions.bodyLimit;
  const declared = Number(request.headers['content-length']);
  const size = Number.isFinite(declared) && declared > 0 ? ` (${declared} bytes)` : '';
  const flag = request.routeOptions.config.bodyLimitFlag;
  return new KusError('KUS_ERR_TOO_LARGE',
    `the request body${size} is larger than the ${formatBytes(limit)} that ${request.method} ${request.routeOptions.url ?? request.url} accepts` +
    (flag ? `; kus serve ${flag} raises it` : ''),
    { limit });
}
