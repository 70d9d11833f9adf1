// The composition root: config → store (migrated, seeded) → graph cache (first build) → HTTP app → listen.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createSecureContext } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { PACKAGE_ROOT, type Config, type FollowConfig, type TlsConfig } from './config/index.js';
import { KusError } from './errors/index.js';
import { buildApp } from './server/app.js';
import type { TlsFiles } from './server/plugins/graph-fast-path.js';
import { serverLoggerOptions } from './server/logger.js';
import { GraphCache, type RebuildResult } from './services/graph-cache.js';
import { seedStoreIfEmpty } from './services/graph-data-service.js';
import { ADMIN_TOKEN_FILE_NAME, registerAdminToken } from './services/admin-token-file.js';
import { Follower } from './services/follow.js';
import { GraphExplorer, servedGraphsOf } from './services/graph-explorer.js';
import { GraphDataArchive } from './services/graph-data-archive.js';
import { Mirror } from './services/mirror.js';
import { Ingest } from './services/ingest.js';
import { SigningKeys } from './services/keys.js';
import { readSignaturesForImport, seedSignaturesDir } from './services/signature-files.js';
import { requireSignaturesGuard } from './services/signature-guard.js';
import { Signing } from './services/signing.js';
import { Publisher } from './services/publisher.js';
import { Tokens } from './services/tokens.js';
import { Watcher } from './services/watch.js';
import { readDockerConfigFile, type RegistryOptions } from './registry/index.js';
import { openStore } from './store/index.js';

export interface RunningServer {
  app: FastifyInstance;
  graphs: GraphCache;
  logger: Logger;
  /** Base URL actually bound, e.g. http://127.0.0.1:8080 (port 0 resolved). */
  url: string;
  /** Watch mode (`--watch REPO`), when configured. */
  watcher: Watcher | undefined;
  /** Rebuilds and swaps the served graph; admin writes call it before answering so the change is visible at once. */
  rebuild(): RebuildResult;
  /** Stops accepting requests, lets running ones finish, closes the store. Idempotent. */
  close(): Promise<void>;
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}

/** Release signing settings of `kus serve` (kept out of Config: the passphrase is a secret, read when needed). */
export interface SigningOptions {
  /** Refuse adding a release to a channel unless every active key signed it. */
  requireSignatures: boolean;
  /** The passphrase protecting stored private keys (KUS_SIGNING_PASSPHRASE or --signing-passphrase-file). */
  passphrase: () => string | undefined;
}

/** What `kus serve` adds to the configuration: secrets read by the command (kept out of Config), replica and TLS settings. */
export interface ServeOptions {
  signing?: SigningOptions;
  /** `--admin-token-file`: a token registered as "deploy" at start (services/admin-token-file.ts). */
  adminToken?: string;
  /** `--follow URL`: run as a read-only replica of that primary (services/follow.ts). */
  follow?: FollowConfig | null;
  /** `--tls-cert/--tls-key`: serve HTTPS natively. */
  tls?: TlsConfig | null;
}

/** Reads the certificate and key once, at start: a missing file stops the start with KUS_ERR_CONFIG naming it. */
function readTlsFiles(tls: TlsConfig): TlsFiles {
  const read = (file: string, what: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new KusError('KUS_ERR_CONFIG', `${what} ${JSON.stringify(file)} cannot be read: ${(err as Error).message}`, { file }, { cause: err });
    }
  };
  const files = { cert: read(tls.certFile, '--tls-cert'), key: read(tls.keyFile, '--tls-key') };
  try {
    // Fails now, with the file names, on PEM that is not a certificate/key or a key that does not match.
    createSecureContext(files);
  } catch (err) {
    throw new KusError('KUS_ERR_CONFIG', `--tls-cert ${JSON.stringify(tls.certFile)} and --tls-key ${JSON.stringify(tls.keyFile)} are not a usable certificate and key: ${(err as Error).message}`,
      { certFile: tls.certFile, keyFile: tls.keyFile }, { cause: err });
  }
  return files;
}

export async function startServer(config: Config, options: ServeOptions = {}): Promise<RunningServer> {
  const signingOptions: SigningOptions = options.signing ?? { requireSignatures: false, passphrase: () => undefined };
  const logger = pino(serverLoggerOptions(config.log.level));
  const store = openStore(config.store.file);
  let app: FastifyInstance;
  let graphs: GraphCache;
  let url: string;
  let watcher: Watcher | undefined;
  let follower: Follower | undefined;
  const follow = options.follow ?? null;
  try {
    const tls = options.tls ? readTlsFiles(options.tls) : undefined;
    if (follow && config.watch.repositories.length > 0) {
      throw new KusError('KUS_ERR_CONFIG', '--watch and --follow both given: a replica takes its releases from the primary; watch on the primary');
    }
    // Seeding also loads signatures (checked before the one seeding transaction); only an empty store is seeded.
    // A replica is never seeded: it serves what its primary hands out, or nothing (not ready) until the first sync.
    const signaturesDir = !follow && store.isEmpty() ? seedSignaturesDir(config.graphData.dir) : undefined;
    const signatures = signaturesDir ? await readSignaturesForImport(store, signaturesDir, new Date()) : undefined;
    if (!follow && seedStoreIfEmpty(store, { graphDataDir: config.graphData.dir, ...(signatures ? { signatures } : {}) })) {
      logger.info({ graphData: config.graphData.dir, store: config.store.file }, 'seeded the empty store from graph-data');
    }
    if (options.adminToken !== undefined && registerAdminToken(store, options.adminToken)) {
      logger.info({ token: ADMIN_TOKEN_FILE_NAME }, 'registered the admin token of --admin-token-file');
    }
    graphs = new GraphCache({ load: () => store.loadGraphInput(), logger });
    // A failed first build is logged and leaves /readyz at 503, as upstream does; the process still serves.
    // A replica with an empty store stays unready until its first sync; with a stored snapshot it serves that.
    if (!follow || !store.isEmpty()) graphs.rebuild();
    const cache = graphs;
    follower = follow
      ? new Follower({ store, rebuild: () => cache.rebuild(), primary: follow.primary, intervalSeconds: follow.intervalSeconds, caFile: follow.caFile, logger })
      : undefined;
    // Admin writes rebuild before they answer, so a write is in the served graph when its response arrives.
    const publisher = new Publisher({
      store, rebuild: () => cache.rebuild(), ...(signingOptions.requireSignatures ? { checkWrite: requireSignaturesGuard(store) } : {}),
    });
    const keys = new SigningKeys({ store, passphrase: signingOptions.passphrase });
    const signing = new Signing({
      store, keys, releases: (v) => publisher.getRelease(v), passphrase: signingOptions.passphrase, creator: `Kylin Update Service ${packageVersion()}`,
    });
    const tokens = new Tokens({ store });
    // Registry settings are read once here: a missing pull secret or CA file stops the start, not a later ingest.
    const registry: RegistryOptions = {
      auth: config.registry.authFile ? readDockerConfigFile(config.registry.authFile) : undefined,
      insecure: config.registry.insecure,
      caFile: config.registry.caFile ?? undefined,
    };
    const ingest = new Ingest({ publisher, registry });
    watcher = config.watch.repositories.length > 0
      ? new Watcher({ ingest, publisher, logger, repositories: config.watch.repositories, intervalSeconds: config.watch.intervalSeconds })
      : undefined;
    // The graph-data tarball is rebuilt lazily, once per graph generation (GraphCache swaps in a new snapshot object).
    const graphData = new GraphDataArchive({ store, generation: () => cache.snapshot });
    const explorer = new GraphExplorer({ served: servedGraphsOf(cache), edges: () => publisher.listEdges(), signing });
    app = buildApp({ explorer, consoleDir: path.join(PACKAGE_ROOT, 'dist', 'web'), graphs, logger, version: packageVersion(), admin: { publisher, tokens, ingest, signing: { signing, keys }, mirror: new Mirror({ store, rebuild: () => cache.rebuild() }) }, signatures: signing, graphData, ...(watcher ? { watch: watcher } : {}), ...(follower ? { follow: follower } : {}), ...(tls ? { tls } : {}) });
    url = await app.listen({ host: config.server.host, port: config.server.port });
    if (watcher) {
      logger.info({ repositories: config.watch.repositories, intervalSeconds: config.watch.intervalSeconds }, 'watching repositories for new releases');
      watcher.start();
    }
    if (follower) {
      logger.info({ primary: follow?.primary, intervalSeconds: follow?.intervalSeconds }, 'following the primary (read-only replica)');
      follower.start();
    }
  } catch (err) {
    store.close();
    throw err;
  }
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      try {
        await watcher?.stop();
        await follower?.stop();
        await app.close();
      } finally {
        store.close();
      }
    })();
    return closing;
  };
  const cache = graphs;
  return { app, graphs, logger, url, watcher, rebuild: () => cache.rebuild(), close };
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
