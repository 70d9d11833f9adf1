// buildApp(deps): the Fastify application (no listen), so tests can inject and main.ts can listen.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { GraphCache } from '../services/graph-cache.js';
import { serverLoggerOptions } from './logger.js';
import { installPublicCors } from './plugins/cors.js';
import { installErrorHandler } from './plugins/error-handler.js';
import { installMetrics } from './plugins/metrics.js';
import { installOpenApi } from './plugins/openapi.js';
import { GRAPH_PATHS, graphRoutes } from './routes/public/graph.js';
import { healthRoutes } from './routes/public/health.js';
import { metricsRoutes } from './routes/public/metrics.js';

export interface AppDeps {
  graphs: GraphCache;
  /** A pino logger made with serverLoggerOptions(); when absent one is created at `logLevel`. */
  logger?: FastifyBaseLogger;
  /** Used only when `logger` is absent; default info. */
  logLevel?: string;
  /** Version shown in the OpenAPI document. */
  version?: string;
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const level = deps.logger?.level ?? deps.logLevel ?? 'info';
  // Two log lines per request would cost more than serving the graph; they are on only at debug level.
  const logController = new LogController({ disableRequestLogging: level !== 'debug' && level !== 'trace' });
  const app: FastifyInstance = deps.logger
    ? Fastify({ loggerInstance: deps.logger, logController })
    : Fastify({ logger: serverLoggerOptions(level), logController });

  installErrorHandler(app);
  const registry = installMetrics(app, deps.graphs);
  installOpenApi(app, deps.version ?? '0.0.0');

  void app.register(async (pub) => {
    installPublicCors(pub, GRAPH_PATHS);
    await pub.register(graphRoutes(deps.graphs));
  });
  void app.register(healthRoutes(deps.graphs));
  void app.register(metricsRoutes(registry));
  return app;
}
