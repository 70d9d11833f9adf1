// The composition root: config → store (migrated, seeded) → graph cache (first build) → HTTP app → listen.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { PACKAGE_ROOT, type Config } from './config/index.js';
import { buildApp } from './server/app.js';
import { serverLoggerOptions } from './server/logger.js';
import { GraphCache, type RebuildResult } from './services/graph-cache.js';
import { seedStoreIfEmpty } from './services/graph-data-service.js';
import { openStore } from './store/index.js';

export interface RunningServer {
  app: FastifyInstance;
  graphs: GraphCache;
  logger: Logger;
  /** Base URL actually bound, e.g. http://127.0.0.1:8080 (port 0 resolved). */
  url: string;
  /** Rebuilds and swaps the served graph; admin writes call it before answering so the change is visible at once. */
  rebuild(): RebuildResult;
  /** Stops accepting requests, lets running ones finish, closes the store. Idempotent. */
  close(): Promise<void>;
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}

export async function startServer(config: Config): Promise<RunningServer> {
  const logger = pino(serverLoggerOptions(config.log.level));
  const store = openStore(config.store.file);
  let app: FastifyInstance;
  let graphs: GraphCache;
  let url: string;
  try {
    if (seedStoreIfEmpty(store, { graphDataDir: config.graphData.dir })) {
      logger.info({ graphData: config.graphData.dir, store: config.store.file }, 'seeded the empty store from graph-data');
    }
    graphs = new GraphCache({ load: () => store.loadGraphInput(), logger });
    // A failed first build is logged and leaves /readyz at 503, as upstream does; the process still serves.
    graphs.rebuild();
    app = buildApp({ graphs, logger, version: packageVersion() });
    url = await app.listen({ host: config.server.host, port: config.server.port });
  } catch (err) {
    store.close();
    throw err;
  }
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      try {
        await app.close();
      } finally {
        store.close();
      }
    })();
    return closing;
  };
  const cache = graphs;
  return { app, graphs, logger, url, rebuild: () => cache.rebuild(), close };
}

/** Resolves once SIGINT or SIGTERM arrived and the server closed; a second signal falls through to Node's default. */
export function closeOnSignal(server: RunningServer): Promise<void> {
  return new Promise((resolve, reject) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      server.logger.info({ signal }, 'shutting down');
      server.close().then(() => {
        server.logger.info('server closed');
        resolve();
      }, reject);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}
