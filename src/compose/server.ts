// Starts `kus serve`: config → store (migrated, seeded) → graph cache (first build) → HTTP app → listen.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createSecureContext } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { buildInfo, PACKAGE_ROOT, type Config, type FollowConfig, type GraphDataConfig, type ServerLimits, type TlsConfig } from '../config/index.js';
import { checkStoreFile, removeCreatedStore } from './local-store.js';
import { KusError, quote } from '../errors/index.js';
import { buildApp } from '../server/app.js';
import type { TlsFiles } from '../server/plugins/graph-fast-path.js';
import { serverLoggerOptions } from '../server/logger.js';
import { holdTickObjectShapes } from '../server/tick-shapes.js';
import { GraphBuilder } from '../services/graph-builder.js';
import { GraphCache, type RebuildResult } from '../services/graph-cache.js';
import { seedStoreIfEmpty } from '../services/graph-data-service.js';
import { ADMIN_TOKEN_FILE_NAME, registerAdminToken } from '../services/admin-token-file.js';
import { Follower } from '../services/follow.js';
import { FleetInventory, FleetRecorder, FleetReporter, WorkerFleetWriter } from '../services/fleet/index.js';
import { GraphExplorer, servedGraphsOf } from '../services/graph-explorer.js';
import { GraphDataArchive } from '../services/graph-data-archive.js';
import { Ingest } from '../services/ingest.js';
import { SigningKeys } from '../services/keys.js';
import { readSignaturesForImport, seedSignaturesDir } from '../services/signature-files.js';
import { Signing } from '../services/signing.js';
import { PolicyRunner, PromotionPolicies } from '../services/policies/index.js';
import { Publisher } from '../services/publisher.js';
import { RolloutEvidenceFeed } from '../services/rollout-evidence-feed.js';
import { RolloutHalts } from '../services/rollout-halts.js';
import { Rollouts } from '../services/rollouts.js';
import { lowerOtherThreads } from '../services/thread-priority.js';
import { Tokens } from '../services/tokens.js';
import { Watcher } from '../services/watch.js';
import { readDockerConfigFile, type RegistryOptions } from '../registry/index.js';
import { openStore, type Store } from '../store/index.js';

export interface RunningServer {
  app: FastifyInstance;
  graphs: GraphCache;
  /** The build worker's serving-side handle: every write and rebuild goes through it. */
  builder: GraphBuilder;
  logger: Logger;
  /** Base URL actually bound, e.g. http://127.0.0.1:8080 (port 0 resolved). */
  url: string;
  /** Watch mode (`--watch REPO`), when configured. */
  watcher: Watcher | undefined;
  /** The promotion policies (run on a timer unless this is a replica). */
  policies: PromotionPolicies;
  /** The halting rule of rollouts (on a timer on a primary that records its fleet); undefined otherwise. */
  halts: RolloutHalts | undefined;
  /** Rebuilds (in the build worker) and swaps the served graph. */
  rebuild(): Promise<RebuildResult>;
  /** Stops accepting requests, lets running ones finish, closes the store. Idempotent. */
  close(): Promise<void>;
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
  /** Timeouts, connection cap and body limits (config/limits.ts); the defaults when absent. */
  limits?: ServerLimits;
  /** The fleet inventory (`--fleet-retention`, `--fleet-flush`); null turns recording off (`--no-fleet`). Defaults when absent. */
  fleet?: FleetOptions | null;
  /** Promotion policies (`--policy-interval`); a replica runs none (it follows its primary's channels). */
  policies?: PolicyOptions;
  /** Rollout evidence and the halting rule (`--rollout-check-interval`, `--rollout-silent-after`). */
  rollouts?: RolloutOptions;
}

export interface RolloutOptions {
  /** How often the halting rule checks the rollouts (default 1 min); also once at start, after the first build. */
  checkIntervalMs?: number;
  /** A cluster still on the previous version and silent this long has stalled (default 1 h). */
  silentAfterMs?: number;
  /** The clock of rollout writes, lists and checks: tests move time instead of waiting (default: the system's). */
  now?: () => Date;
}

export interface PolicyOptions {
  /** How often they run (default 1 min); they also run once at start, after the first build. */
  intervalMs?: number;
  /** Their clock: tests move time instead of waiting (default: the system's). */
  now?: () => Date;
}

/** How the fleet inventory records graph polls; absent fields take the recorder's defaults (5 s flush, 30 days). */
export interface FleetOptions {
  retentionMs?: number;
  flushMs?: number;
  /** A replica's reports to its primary (`--fleet-report-token`, `--fleet-report-buffer`); needs `follow`. */
  report?: { token: string; maxClusters?: number };
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

/** A start refused for a busy or forbidden address is a configuration problem, named as such (not a bug). */
function listenError(err: unknown, config: Config): unknown {
  const code = (err as { code?: unknown }).code;
  const address = `${config.server.host}:${config.server.port}`;
  const why: Record<string, string> = {
    EADDRINUSE: 'is already in use (another kus serve, or another program; pick another --port or KUS_PORT)',
    EACCES: 'may not be bound by this user (ports below 1024 need privileges; pick another --port or KUS_PORT)',
    EADDRNOTAVAIL: 'is not an address of this machine (check --host or KUS_HOST)',
  };
  if (typeof code !== 'string' || !why[code]) return err;
  return new KusError('KUS_ERR_CONFIG', `cannot listen on ${address}: the address ${why[code]}`, { address, reason: code }, { cause: err });
}

/** --graph-data is checked before the store is opened: a typo must stop the start, not leave an empty store. */
function checkGraphDataDir(graphData: GraphDataConfig): void {
  let stat;
  try {
    stat = statSync(graphData.dir);
  } catch {
    throw new KusError('KUS_ERR_CONFIG', `${graphData.from} ${quote(graphData.dir)} does not exist: name the graph-data directory to seed an empty store from`,
      { setting: graphData.from, value: graphData.dir });
  }
  if (!stat.isDirectory()) {
    throw new KusError('KUS_ERR_CONFIG', `${graphData.from} ${quote(graphData.dir)} is not a directory: name the graph-data directory to seed an empty store from`,
      { setting: graphData.from, value: graphData.dir });
  }
}

export async function startServer(config: Config, options: ServeOptions = {}): Promise<RunningServer> {
  const signingOptions: SigningOptions = options.signing ?? { requireSignatures: false, passphrase: () => undefined };
  holdTickObjectShapes();
  // Before any worker starts: only this thread answers clusters, every other one yields the CPU to it.
  lowerOtherThreads();
  const logger = pino(serverLoggerOptions(config.log.level));
  const follow = options.follow ?? null;
  if (config.graphData) checkGraphDataDir(config.graphData);
  const storeFile = checkStoreFile({ db: config.store.from === 'default' ? undefined : config.store.file, from: config.store.from });
  let store: Store;
  try {
    // A damaged file stops the start here, naming it, instead of failing some request later.
    store = openStore(config.store.file, { quickCheck: true });
  } catch (err) {
    if (!storeFile.exists) removeCreatedStore(config.store.file, storeFile.createsDir);
    throw err;
  }
  let app: FastifyInstance | undefined;
  let graphs: GraphCache;
  let url: string;
  let watcher: Watcher | undefined;
  let follower: Follower | undefined;
  let builder: GraphBuilder | undefined;
  let recorder: FleetRecorder | undefined;
  let reporter: FleetReporter | undefined;
  let policyRunner: PolicyRunner | undefined;
  let policies: PromotionPolicies;
  let halts: RolloutHalts | undefined;
  let haltRunner: PolicyRunner | undefined;
  try {
    const tls = options.tls ? readTlsFiles(options.tls) : undefined;
    if (follow && config.watch.repositories.length > 0) {
      throw new KusError('KUS_ERR_CONFIG', '--watch and --follow both given: a replica takes its releases from the primary; watch on the primary');
    }
    graphs = new GraphCache({ load: () => store.loadGraphInput(), logger });
    // Every build runs in the build worker (services/graph-worker.ts), with the writes that cause it: this thread
    // answers clusters and only swaps in the bodies the worker renders. Writes are serialized there.
    const worker = new GraphBuilder({
      storeFile: config.store.file, graphs, logger, requireSignatures: signingOptions.requireSignatures, noteOffers: options.fleet !== null,
      // A replica publishes nothing: its syncs build whole input.
      rehearse: follow === null,
    });
    builder = worker;
    const served = graphs;
    follower = follow
      ? new Follower({ store, swap: (gzip, source) => worker.follow(gzip, source), primary: follow.primary, intervalSeconds: follow.intervalSeconds, caFile: follow.caFile, logger })
      : undefined;
    // Reads run here; writes run in the worker and answer once the served graph shows them.
    const publisher = worker.publisher(new Publisher({ store, rebuild: () => undefined }));
    const keys = new SigningKeys({ store, passphrase: signingOptions.passphrase });
    const signing = new Signing({
      store, keys, releases: (v) => publisher.getRelease(v), passphrase: signingOptions.passphrase, reports: (query) => worker.verifySignatures(query),
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
    const graphData = new GraphDataArchive({
      store, generation: () => served.snapshot, build: () => worker.graphDataArchive(), onSwap: (listener) => served.onSwap(listener),
    });
    const explorer = new GraphExplorer({ served: servedGraphsOf(served), edges: () => publisher.listEdges(), signing });
    const fleetOptions = options.fleet === undefined ? {} : options.fleet;
    const report = fleetOptions?.report;
    if (report && !follow) throw new KusError('KUS_ERR_CONFIG', '--fleet-report-token is given without --follow URL: only a replica reports its fleet to a primary');
    if (report && fleetOptions === null) throw new KusError('KUS_ERR_CONFIG', '--fleet-report-token is given with --no-fleet: a replica that records no polls has nothing to report');
    const reporting = report && follow
      ? new FleetReporter({ primary: follow.primary, caFile: follow.caFile, token: report.token, maxClusters: report.maxClusters, logger })
      : undefined;
    reporter = reporting;
    recorder = fleetOptions === null ? undefined : new FleetRecorder({
      repository: store.fleet, writer: new WorkerFleetWriter(config.store.file), logger,
      ...(fleetOptions.retentionMs === undefined ? {} : { retentionMs: fleetOptions.retentionMs }),
      ...(fleetOptions.flushMs === undefined ? {} : { flushMs: fleetOptions.flushMs }),
      ...(reporting ? { forward: (batch) => reporting.enqueue(batch) } : {}),
    });
    // The recorder holds clusters in memory: the inventory takes their last poll from it (the store's lags by up to a minute).
    const inventory = new FleetInventory({ repository: store.fleet, served: servedGraphsOf(served), live: recorder });
    const fleet = recorder ? { recorder, reporter, inventory } : undefined;
    // Promotions go through the same Publisher as an admin's writes (in the build worker), so they are refused alike.
    const policyClock = options.policies?.now ? { now: options.policies.now } : {};
    // `--rollout`: the promotion and its rollout are one write (Publisher.promote), so no poll sees the edge unphased.
    policies = new PromotionPolicies({ store, publisher, logger, rollouts: true, ...policyClock });
    policyRunner = follow ? undefined : new PolicyRunner({ policies, logger, ...(options.policies?.intervalMs ? { intervalMs: options.policies.intervalMs } : {}) });
    // Evidence comes from the fleet inventory; without it (--no-fleet) rollouts list evidence null and never halt.
    const rolloutOptions = options.rollouts ?? {};
    const evidence = fleet
      ? new RolloutEvidenceFeed({ fleet: fleet.inventory, ...(rolloutOptions.silentAfterMs === undefined ? {} : { silentAfterMs: rolloutOptions.silentAfterMs }) })
      : undefined;
    const rollouts = new Rollouts({ publisher, ...(rolloutOptions.now ? { now: rolloutOptions.now } : {}), ...(evidence ? { evidence } : {}) });
    // Only the primary pauses: a replica follows the rollout's state through graph-data.
    halts = follow || !evidence ? undefined : new RolloutHalts({ rollouts, logger });
    haltRunner = halts
      ? new PolicyRunner({ policies: halts, logger, what: 'rollout halting rule', ...(rolloutOptions.checkIntervalMs ? { intervalMs: rolloutOptions.checkIntervalMs } : {}) })
      : undefined;
    app = buildApp({ ...(fleet ? { fleet } : {}),  explorer, consoleDir: path.join(PACKAGE_ROOT, 'dist', 'web'), graphs, logger, version: buildInfo().version, build: buildInfo(), ...(halts ? { rolloutHalts: halts } : {}), admin: { publisher, tokens, ingest, policies, rollouts, signing: { signing, keys }, mirror: { apply: (actor, input) => worker.mirror(actor, input) }, ...(fleet ? { fleet: fleet.inventory, fleetReports: fleet.recorder } : {}) }, signatures: signing, graphData, ...(watcher ? { watch: watcher } : {}), ...(follower ? { follow: follower } : {}), ...(tls ? { tls } : {}), ...(options.limits ? { limits: options.limits } : {}) });
    if (options.adminToken !== undefined && registerAdminToken(store, options.adminToken)) {
      logger.info({ token: ADMIN_TOKEN_FILE_NAME }, 'registered the admin token of --admin-token-file');
    }
    // The address is taken before the store is seeded: a start that fails (port in use) must not have seeded the
    // store. Until the first build below, /readyz and the graph answer 503, as while a replica waits for its primary.
    try {
      url = await app.listen({ host: config.server.host, port: config.server.port });
    } catch (err) {
      throw listenError(err, config);
    }
    // A replica is never seeded: it serves what its primary hands out, or nothing (not ready) until the first sync.
    if (!follow && store.isEmpty()) {
      if (config.graphData) {
        // Seeding also loads signatures (checked before the one seeding transaction); only an empty store is seeded.
        const signaturesDir = seedSignaturesDir(config.graphData.dir);
        const signatures = signaturesDir ? await readSignaturesForImport(store, signaturesDir, new Date()) : undefined;
        if (seedStoreIfEmpty(store, { graphDataDir: config.graphData.dir, ...(signatures ? { signatures } : {}) })) {
          logger.info({ graphData: config.graphData.dir, store: config.store.file }, 'seeded the empty store from graph-data');
        }
      } else {
        logger.info({ store: config.store.file }, 'the store is empty: serving an empty graph until releases are published (--graph-data DIR seeds an empty store)');
      }
    } else if (!follow && config.graphData) {
      logger.info({ graphData: config.graphData.dir, store: config.store.file }, 'the store is not empty: --graph-data was not imported (kus import replaces a store\'s content)');
    }
    // A failed first build is logged and leaves /readyz at 503, as upstream does; the process still serves.
    // A replica with an empty store stays unready until its first sync; with a stored snapshot it serves that.
    if (!follow || !store.isEmpty()) await worker.rebuild();
    recorder?.start();
    policyRunner?.start();
    haltRunner?.start();
    if (watcher) {
      logger.info({ repositories: config.watch.repositories, intervalSeconds: config.watch.intervalSeconds }, 'watching repositories for new releases');
      watcher.start();
    }
    if (follower) {
      logger.info({ primary: follow?.primary, intervalSeconds: follow?.intervalSeconds }, 'following the primary (read-only replica)');
      follower.start();
      if (reporter) logger.info({ primary: follow?.primary, bufferLimit: reporter.limit }, 'reporting recorded graph polls to the primary');
    }
  } catch (err) {
    await recorder?.stop().catch(() => undefined);
    await reporter?.stop().catch(() => undefined);
    await policyRunner?.stop();
    await haltRunner?.stop();
    await builder?.close();
    try {
      await app?.close();
    } finally {
      store.close();
      // A store this start created goes again: a failed start leaves no empty database behind.
      if (!storeFile.exists) removeCreatedStore(config.store.file, storeFile.createsDir);
    }
    throw err;
  }
  const started = app;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      try {
        await watcher?.stop();
        await policyRunner?.stop();
        await haltRunner?.stop();
        await follower?.stop();
        await started.close();
        // After the last request: what the closed server recorded is written before the store closes.
        await recorder?.stop();
        // Then what it recorded last is handed to the primary (a few seconds at most).
        await reporter?.stop();
      } finally {
        await builder?.close();
        store.close();
      }
    })();
    return closing;
  };
  const activeBuilder = builder!;
  return { app: started, graphs, builder: activeBuilder, logger, url, watcher, policies, halts, rebuild: () => activeBuilder.rebuild(), close };
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
