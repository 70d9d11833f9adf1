// buildApp(deps): the Fastify application (no listen), so tests can inject and main.ts can listen.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { GraphCache } from '../services/graph-cache.js';
import { serverLoggerOptions } from './logger.js';
import { installCorsPreflight } from './plugins/cors.js';
import { installErrorHandler } from './plugins/error-handler.js';
import { graphServerFactory } from './plugins/graph-fast-path.js';
import { createMetrics, installMetrics } from './plugins/metrics.js';
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
  const requestLogging = level === 'debug' || level === 'trace';
  const logController = new LogController({ disableRequestLogging: !requestLogging });
  const metrics = createMetrics(deps.graphs);
  // Graph requests over a socket are answered before Fastify's routing (see plugins/graph-fast-path.ts).
  const serverFactory = graphServerFactory(deps.graphs, GRAPH_PATHS, metrics.record);
  const app: FastifyInstance = deps.logger
    ? Fastify({ loggerInstance: deps.logger, logController, serverFactory })
    : Fastify({ logger: serverLoggerOptions(level), logController, serverFactory });
  // Likewise a child logger per request (for its reqId binding) is skipped; error logs carry reqId themselves.
  if (!requestLogging) app.setChildLoggerFactory((logger) => logger);

  installErrorHandler(app);
  installMetrics(app, metrics);
  installOpenApi(app, deps.version ?? '0.0.0');

  void app.register(async (pub) => {
    installCorsPreflight(pub, GRAPH_PATHS);
    await pub.register(graphRoutes(deps.graphs));
  });
  void app.register(healthRoutes(deps.graphs));
  void app.register(metricsRoutes(metrics.registry));
  return app;
}
