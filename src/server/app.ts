// buildApp(deps): the Fastify application (no listen), so tests can inject and main.ts can listen.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { LIMIT_DEFAULTS, type ServerLimits } from '../config/index.js';
import type { GraphCache } from '../services/graph-cache.js';
import { serverLoggerOptions } from './logger.js';
import { bodyWithoutCoercion } from './plugins/body-validator.js';
import { installCorsPreflight } from './plugins/cors.js';
import { installErrorHandler } from './plugins/error-handler.js';
import { graphServerFactory, type TlsFiles } from './plugins/graph-fast-path.js';
import { createMetrics, installMetrics } from './plugins/metrics.js';
import { installOpenApi } from './plugins/openapi.js';
import { registerBuildInfo, type BuildLabels } from './plugins/build-metrics.js';
import { consoleRoutes } from './plugins/console.js';
import { registerFollowMetrics, type FollowStatsSource } from './plugins/follow-metrics.js';
import { registerPolicyMetrics } from './plugins/policy-metrics.js';
import { registerFleetMetrics } from './plugins/fleet-metrics.js';
import { registerFleetReportMetrics } from './plugins/fleet-report-metrics.js';
import { installReadOnly } from './plugins/read-only.js';
import { registerWatchMetrics, type WatchStatsSource } from './plugins/watch-metrics.js';
import { GRAPH_PATHS, graphRoutes } from './routes/public/graph.js';
import { graphDataRoutes, type GraphDataSource } from './routes/public/graph-data.js';
import { createGraphQueryMemo } from './routes/public/graph-query-memo.js';
import { healthRoutes } from './routes/public/health.js';
import { EXPLORER_PREFIX, explorerRoutes } from './routes/public/explorer.js';
import { metricsRoutes } from './routes/public/metrics.js';
import { signatureRoutes, type SignatureSource } from './routes/public/signatures.js';
import { ADMIN_PREFIX, adminApi, type AdminServices } from './routes/admin/index.js';
import type { GraphExplorer } from '../services/graph-explorer.js';
import type { FleetInventory, FleetRecorder, FleetReporter } from '../services/fleet/index.js';
import type { RolloutHalts } from '../services/rollout-halts.js';
import { registerRolloutMetrics } from './plugins/rollout-metrics.js';

export interface AppDeps {
  graphs: GraphCache;
  /** A pino logger made with serverLoggerOptions(); when absent one is created at `logLevel`. */
  logger?: FastifyBaseLogger;
  /** Used only when `logger` is absent; default info. */
  logLevel?: string;
  /** Version shown in the OpenAPI document. */
  version?: string;
  /** The running build, exported as kus_build_info on /metrics. */
  build?: BuildLabels;
  /** The admin API (/api/admin/v1) is served only when given. */
  admin?: AdminServices;
  /** The signature store clusters read (/api/upgrades_info/signatures/…, /signatures/…); served only when given. */
  signatures?: SignatureSource;
  /** The graph-data tarball (/api/upgrades_info/graph-data); served only when given. */
  graphData?: GraphDataSource;
  /** Watch mode (`kus serve --watch`), whose counters /metrics exports. */
  watch?: WatchStatsSource;
  /** Native HTTPS: certificate chain and key (PEM); plain HTTP when absent. */
  tls?: TlsFiles;
  /** Replica mode (`kus serve --follow URL`): admin writes answer 409 naming the primary; /metrics has the sync counters. */
  follow?: FollowStatsSource & { primary: string };
  /** Timeouts, connection cap, mirror body limit, failed-token limit (`kus serve` flags); LIMIT_DEFAULTS when absent. */
  limits?: Partial<ServerLimits>;
  /** The public explorer API (/api/kus/v1: channels, paths, what a cluster sees, releases); served only when given. */
  explorer?: GraphExplorer;
  /** The built web console (dist/web), served at / and /assets/ when given. */
  consoleDir?: string;
  /** The fleet inventory: graph polls recorded, /metrics gauges; its admin routes come with `admin.fleet`. Off when absent. */
  fleet?: { recorder: FleetRecorder; inventory: FleetInventory; reporter?: FleetReporter | undefined };
  /** The halting rule of rollouts (a primary recording its fleet): /metrics has its halts and the evidence it saw. */
  rolloutHalts?: Pick<RolloutHalts, 'stats'>;
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const level = deps.logger?.level ?? deps.logLevel ?? 'info';
  // Two log lines per request would cost more than serving the graph; they are on only at debug level.
  const requestLogging = level === 'debug' || level === 'trace';
  const logController = new LogController({ disableRequestLogging: !requestLogging });
  const metrics = createMetrics(deps.graphs);
  if (deps.watch) registerWatchMetrics(metrics.registry, deps.watch);
  if (deps.follow) registerFollowMetrics(metrics.registry, deps.follow);
  if (deps.admin?.policies) registerPolicyMetrics(metrics.registry, deps.admin.policies);
  if (deps.rolloutHalts) registerRolloutMetrics(metrics.registry, deps.rolloutHalts);
  const limits: ServerLimits = { ...LIMIT_DEFAULTS, ...deps.limits };
  const queries = createGraphQueryMemo();
  if (deps.build) registerBuildInfo(metrics.registry, deps.build);
  if (deps.fleet) registerFleetMetrics(metrics.registry, deps.fleet.inventory, deps.fleet.recorder);
  if (deps.fleet) registerFleetReportMetrics(metrics.registry, deps.fleet.recorder, deps.fleet.reporter);
  const recorder = deps.fleet?.recorder;
  const recordPoll = recorder ? (query: Parameters<FleetRecorder['record']>[0], userAgent: string | undefined) => recorder.record(query, userAgent) : undefined;
  // Graph requests over a socket are answered before Fastify's routing (see plugins/graph-fast-path.ts).
  const serverFactory = graphServerFactory({ graphs: deps.graphs, queries, paths: GRAPH_PATHS, record: metrics.record, recordPoll, limits, tls: deps.tls });
  // The factory makes the HTTPS server; the option only makes Fastify report (and log) https:// addresses.
  const https = deps.tls ? { https: { cert: deps.tls.cert, key: deps.tls.key } } : {};
  // Unknown body and query fields are refused (400), not silently dropped: a misspelt field must not be ignored.
  // `example` documents request fields in OpenAPI; Ajv must know it is not a typo of a validation keyword.
  const ajv = { customOptions: { removeAdditional: false as const, keywords: ['example'] } };
  const schemaController = { compilersFactory: { buildValidator: bodyWithoutCoercion() } };
  const common = { logController, serverFactory, ajv, schemaController, requestTimeout: limits.requestTimeoutMs, ...https };
  const app: FastifyInstance = deps.logger
    ? Fastify({ loggerInstance: deps.logger, ...common })
    : Fastify({ logger: serverLoggerOptions(level), ...common });
  // Likewise a child logger per request (for its reqId binding) is skipped; error logs carry reqId themselves.
  if (!requestLogging) app.setChildLoggerFactory((logger) => logger);

  installErrorHandler(app);
  installMetrics(app, metrics);
  installOpenApi(app, deps.version ?? '0.0.0');

  void app.register(async (pub) => {
    installCorsPreflight(pub, GRAPH_PATHS);
    await pub.register(graphRoutes(deps.graphs, queries, recordPoll));
  });
  if (deps.signatures) void app.register(signatureRoutes(deps.signatures));
  if (deps.graphData) void app.register(graphDataRoutes(deps.graphData));
  void app.register(healthRoutes(deps.graphs));
  void app.register(metricsRoutes(metrics.registry));
  if (deps.explorer) void app.register(explorerRoutes(deps.explorer), { prefix: EXPLORER_PREFIX });
  if (deps.consoleDir !== undefined) void app.register(consoleRoutes(deps.consoleDir));
  if (deps.follow) installReadOnly(app, { primary: deps.follow.primary, adminPrefix: ADMIN_PREFIX });
  if (deps.admin) {
    const admin = adminApi(deps.admin, { mirrorBodyBytes: limits.mirrorBodyBytes, authFailures: limits.authFailures, authFailureCounter: metrics.authFailures });
    void app.register(admin, { prefix: ADMIN_PREFIX });
  }
  return app;
}
