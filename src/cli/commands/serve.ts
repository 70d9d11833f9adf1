// `kus serve`: run the update service (graph API for clusters, metrics, OpenAPI) until SIGINT/SIGTERM.
import { loadConfig, loadFollowConfig, loadTlsConfig, CONFIG_ENV, TLS_ENV, DEFAULTS, DEFAULT_FOLLOW_INTERVAL_SECONDS, FOLLOW_ENV } from '../../config/index.js';
import { LIMIT_FLAGS, limitsFromFlags } from '../serve-limits.js';
import { KusError } from '../../errors/index.js';
import { closeOnSignal, startServer, type FleetOptions } from '../../compose/index.js';
import { PASSPHRASE_ENV, serverPassphrase } from '../../services/keys.js';
import { readAdminTokenFile } from '../../services/admin-token-file.js';
import { listFlag, stringFlag, writeJson, type Command } from '../command.js';
import { DEFAULT_FLEET_REPORT_BUFFER, parseFleetDuration } from '../../services/fleet/index.js';

export const command: Command = {
  path: ['serve'],
  summary: 'Run the update service that clusters point spec.upstream at',
  description:
    'Opens (or creates) the SQLite store, takes the address, fills an empty store from --graph-data DIR when given\n' +
    '(npm start gives the example graph-data/; without it a new store starts empty and the log says so), builds the\n' +
    'graph, and serves it at /api/upgrades_info/graph (also /api/upgrades_info/v1/graph, /graph, /v1/graph).\n' +
    'Also: /readyz, /livez, /metrics (Prometheus), /openapi.json and /docs. Stops cleanly on SIGINT/SIGTERM.\n' +
    'Flags win over environment variables, which win over the defaults; a bad value stops the start with KUS_ERR_CONFIG.',
  flags: {
    host: { type: 'string', valueName: 'ADDR', description: `interface to listen on (default ${DEFAULTS.host}, env ${CONFIG_ENV.host})` },
    port: { type: 'string', valueName: 'PORT', description: `TCP port, 0 for any free port (default ${DEFAULTS.port}, env ${CONFIG_ENV.port})` },
    db: { type: 'string', valueName: 'FILE', description: `SQLite store, created when missing; its folder must exist, except the default's (default ${DEFAULTS.db}, env ${CONFIG_ENV.db})` },
    'graph-data': {
      type: 'string',
      valueName: 'DIR',
      description: `graph-data directory that seeds an empty store, e.g. the example graph-data/ shipped with KUS; without it nothing is seeded (env ${CONFIG_ENV.graphData})`,
    },
    'log-level': { type: 'string', valueName: 'LEVEL', description: `fatal, error, warn, info, debug, trace or silent (default ${DEFAULTS.logLevel}, env ${CONFIG_ENV.logLevel})` },
    watch: {
      type: 'string',
      multiple: true,
      valueName: 'REPO',
      description: 'watch a repository (registry[:port]/repository; repeatable): every interval its tags are listed and new release ' +
        'images are ingested by digest; other tags (component images, cosign .sig/.att tags) are skipped with a logged reason ' +
        `(env ${CONFIG_ENV.watch}, comma-separated)`,
    },
    'watch-interval': {
      type: 'string',
      valueName: 'SECONDS',
      description: `seconds between scrapes of a watched repository, doubled after each failure up to an hour (default ${DEFAULTS.watchIntervalSeconds}, env ${CONFIG_ENV.watchInterval})`,
    },
    'registry-auth': {
      type: 'string',
      valueName: 'FILE',
      description: `pull secret (the dockerconfigjson oc and podman use) for watch mode and POST /api/admin/v1/releases/ingest (env ${CONFIG_ENV.registryAuth})`,
    },
    'require-signatures': {
      type: 'boolean',
      env: 'KUS_REQUIRE_SIGNATURES',
      description: 'refuse adding a release to a channel (admin API) unless every active signing key signed it (env KUS_REQUIRE_SIGNATURES=true)',
    },
    'signing-passphrase-file': {
      type: 'string',
      valueName: 'FILE',
      env: 'KUS_SIGNING_PASSPHRASE_FILE',
      description: `file whose first line is the passphrase protecting stored private keys, for signing through the admin API (else env ${PASSPHRASE_ENV})`,
    },
    follow: {
      type: 'string',
      valueName: 'URL',
      description: 'run as a read-only replica of the primary at URL (its base URL, e.g. http://kus-primary:8080): fetch its ' +
        '/api/upgrades_info/graph-data every interval (If-None-Match), check it and swap it in; serve graph and signatures; ' +
        `answer admin writes with 409 KUS_ERR_READ_ONLY; keep serving the last good snapshot while the primary is away (env ${FOLLOW_ENV.follow})`,
    },
    'follow-interval': {
      type: 'string',
      valueName: 'SECONDS',
      description: `how long the primary may hold a poll (up to 60) and the pause between polls of a primary that does not hold them (default ${DEFAULT_FOLLOW_INTERVAL_SECONDS}, env ${FOLLOW_ENV.followInterval})`,
    },
    'follow-ca-file': {
      type: 'string',
      valueName: 'FILE',
      description: `PEM CA certificates to trust for an https primary, besides the system ones (env ${FOLLOW_ENV.followCaFile})`,
    },
    'tls-cert': {
      type: 'string',
      valueName: 'FILE',
      description: `serve HTTPS with this PEM certificate chain (server certificate first); needs --tls-key (env ${TLS_ENV.tlsCert})`,
    },
    'tls-key': { type: 'string', valueName: 'FILE', description: `PEM private key of --tls-cert (env ${TLS_ENV.tlsKey})` },
    'admin-token-file': {
      type: 'string',
      valueName: 'FILE',
      env: 'KUS_ADMIN_TOKEN_FILE',
      description: 'file whose first line is an admin bearer token, registered at start as the token "deploy" (a Kubernetes Secret; ' +
        'a changed file replaces it; env KUS_ADMIN_TOKEN_FILE)',
    },
    'registry-insecure': { type: 'boolean', description: `talk plain HTTP to registries (env ${CONFIG_ENV.registryInsecure}=true)` },
    'registry-ca-file': { type: 'string', valueName: 'FILE', description: `PEM file of CA certificates to trust for registries, besides the system ones (env ${CONFIG_ENV.registryCaFile})` },
    'fleet-retention': {
      type: 'string',
      valueName: 'DURATION',
      env: 'KUS_FLEET_RETENTION',
      description: 'fleet inventory: drop clusters not seen for longer than this, e.g. 30d, 12h (default 30d, env KUS_FLEET_RETENTION)',
    },
    'fleet-flush': {
      type: 'string',
      valueName: 'DURATION',
      env: 'KUS_FLEET_FLUSH',
      description: 'fleet inventory: how often new and changed clusters (and, once a minute, unchanged ones that polled) are written to the store, e.g. 5s; ' +
        'a poll shows in kus fleet after at most this (default 5s, env KUS_FLEET_FLUSH)',
    },
    'fleet-report-token': {
      type: 'string',
      valueName: 'TOKEN',
      env: 'KUS_FLEET_REPORT_TOKEN',
      description: 'replica only (--follow): send the graph polls this replica records to the primary with this token of scope ' +
        'fleet-report (kus token create NAME --scope fleet-report on the primary); buffered while the primary is away, retried with backoff ' +
        '(env KUS_FLEET_REPORT_TOKEN, which keeps it out of the process list)',
    },
    'fleet-report-buffer': {
      type: 'string',
      valueName: 'CLUSTERS',
      env: 'KUS_FLEET_REPORT_BUFFER',
      description: `replica only: distinct clusters held for the primary while it is away, merged per cluster; polls of further clusters are dropped and counted (default ${DEFAULT_FLEET_REPORT_BUFFER}, env KUS_FLEET_REPORT_BUFFER)`,
    },
    'no-fleet': {
      type: 'boolean',
      description: 'do not record graph polls (the fleet inventory: which cluster runs which version, kus fleet ...); its admin routes answer 500',
    },
    'policy-interval': {
      type: 'string',
      valueName: 'DURATION',
      env: 'KUS_POLICY_INTERVAL',
      description: 'how often the promotion policies run (kus channel policy), e.g. 1m; they also run once at start (default 1m, env KUS_POLICY_INTERVAL)',
    },
    'rollout-check-interval': {
      type: 'string',
      valueName: 'DURATION',
      env: 'KUS_ROLLOUT_CHECK_INTERVAL',
      description: 'how often the fleet\'s evidence is checked against each rollout\'s --halt-on-stalled N (kus rollout start), pausing those that reached it; also once at start; primary with a fleet only (default 1m, env KUS_ROLLOUT_CHECK_INTERVAL)',
    },
    'rollout-silent-after': {
      type: 'string',
      valueName: 'DURATION',
      env: 'KUS_ROLLOUT_SILENT_AFTER',
      description: 'a cluster shown a rollout\'s edge that still reports the previous version and has not polled for this long counts as stalled (default 1h, env KUS_ROLLOUT_SILENT_AFTER)',
    },
    ...LIMIT_FLAGS,
  },
  examples: [
    'kus serve --graph-data graph-data          # what npm start runs: the example data in a new ./data/kus.db',
    'kus serve --host 127.0.0.1 --port 9090 --db /var/lib/kus/kus.db',
    'kus serve --watch quay.kylinsec.example/ocp/release --watch-interval 600 --registry-auth ~/.docker/config.json',
    'kus serve --follow http://kus-primary:8080 --follow-interval 30 --db /var/lib/kus/replica.db',
    'KUS_FLEET_REPORT_TOKEN=kus_... kus serve --follow http://kus-primary:8080 --db /var/lib/kus/replica.db   # replica reporting its fleet',
    'kus serve --tls-cert /etc/kus/tls/tls.crt --tls-key /etc/kus/tls/tls.key --port 8443',
    'curl -H "Accept: application/json" "http://127.0.0.1:8080/api/upgrades_info/graph?channel=stable-4.9&arch=arm64"',
  ],
  async run(ctx) {
    // The environment is read by loadConfig, not by the flag parser, so that an error names the variable that was bad.
    const config = loadConfig(
      {
        host: stringFlag(ctx.flags, 'host'),
        port: stringFlag(ctx.flags, 'port'),
        db: stringFlag(ctx.flags, 'db'),
        graphData: stringFlag(ctx.flags, 'graph-data'),
        logLevel: stringFlag(ctx.flags, 'log-level'),
        watch: listFlag(ctx.flags, 'watch'),
        watchInterval: stringFlag(ctx.flags, 'watch-interval'),
        registryAuth: stringFlag(ctx.flags, 'registry-auth'),
        registryInsecure: ctx.flags['registry-insecure'] === true ? true : undefined,
        registryCaFile: stringFlag(ctx.flags, 'registry-ca-file'),
      },
      ctx.env,
    );
    const requireFlag = ctx.flags['require-signatures'];
    const requireSignatures = requireFlag === true || (typeof requireFlag === 'string' && ['true', '1', 'yes', 'on'].includes(requireFlag.trim().toLowerCase()));
    if (typeof requireFlag === 'string' && !requireSignatures && !['false', '0', 'no', 'off', ''].includes(requireFlag.trim().toLowerCase())) {
      throw new KusError('KUS_ERR_CONFIG', `KUS_REQUIRE_SIGNATURES ${JSON.stringify(requireFlag)} is not a boolean (true or false)`);
    }
    const passphrase = serverPassphrase({ file: stringFlag(ctx.flags, 'signing-passphrase-file'), env: ctx.env });
    const tokenFile = stringFlag(ctx.flags, 'admin-token-file');
    const adminToken = tokenFile === undefined ? undefined : readAdminTokenFile(tokenFile);
    const follow = loadFollowConfig(
      { follow: stringFlag(ctx.flags, 'follow'), followInterval: stringFlag(ctx.flags, 'follow-interval'), followCaFile: stringFlag(ctx.flags, 'follow-ca-file') },
      ctx.env,
    );
    const tls = loadTlsConfig({ tlsCert: stringFlag(ctx.flags, 'tls-cert'), tlsKey: stringFlag(ctx.flags, 'tls-key') }, ctx.env);
    const limits = limitsFromFlags(ctx.flags, ctx.env);
    const fleet = fleetFromFlags(ctx.flags, ctx.fromEnv);
    const policyInterval = stringFlag(ctx.flags, 'policy-interval');
    const policies = policyInterval === undefined ? {} : { intervalMs: configDuration(policyInterval, 'policy-interval', ctx.fromEnv) };
    const checkInterval = stringFlag(ctx.flags, 'rollout-check-interval');
    const silentAfter = stringFlag(ctx.flags, 'rollout-silent-after');
    const rollouts = {
      ...(checkInterval === undefined ? {} : { checkIntervalMs: configDuration(checkInterval, 'rollout-check-interval', ctx.fromEnv) }),
      ...(silentAfter === undefined ? {} : { silentAfterMs: configDuration(silentAfter, 'rollout-silent-after', ctx.fromEnv) }),
    };
    const server = await startServer(config, { signing: { requireSignatures, passphrase }, ...(adminToken === undefined ? {} : { adminToken }), follow, tls, limits, fleet, policies, rollouts });
    const graphUrl = `${server.url}/api/upgrades_info/graph`;
    if (ctx.json) writeJson(ctx.stdout, { url: server.url, graph: graphUrl, db: config.store.file, ready: server.graphs.ready });
    else ctx.stdout.write(`kus: listening on ${server.url} (graph: ${graphUrl}, store: ${config.store.file}${follow ? `, read-only replica of ${follow.primary}` : ''})\n`);
    await closeOnSignal(server);
    return 0;
  },
};

/**
 * --no-fleet, or the retention and flush interval (each a duration such as 30d or 5s; a bad one is KUS_ERR_CONFIG,
 * naming the environment variable when the value came from one).
 */
function fleetFromFlags(flags: Record<string, unknown>, fromEnv: Record<string, string>): FleetOptions | null {
  const report = reportFromFlags(flags, fromEnv);
  if (flags['no-fleet'] === true) {
    if (report) throw new KusError('KUS_ERR_CONFIG', `${fromEnv['fleet-report-token'] ?? '--fleet-report-token'} is given with --no-fleet: a replica that records no polls has nothing to report`);
    return null;
  }
  const duration = (name: string): number | undefined => {
    const value = flags[name];
    return typeof value === 'string' ? configDuration(value, name, fromEnv) : undefined;
  };
  const retentionMs = duration('fleet-retention');
  const flushMs = duration('fleet-flush');
  return { ...(retentionMs === undefined ? {} : { retentionMs }), ...(flushMs === undefined ? {} : { flushMs }), ...(report ? { report } : {}) };
}

/** --fleet-report-token (a replica's token for its primary) and --fleet-report-buffer; the flag wins over the environment. */
function reportFromFlags(flags: Record<string, unknown>, fromEnv: Record<string, string>): FleetOptions['report'] {
  const token = typeof flags['fleet-report-token'] === 'string' ? flags['fleet-report-token'].trim() : undefined;
  const buffer = typeof flags['fleet-report-buffer'] === 'string' ? flags['fleet-report-buffer'].trim() : undefined;
  const from = (name: string): string => fromEnv[name] ?? `--${name}`;
  let maxClusters: number | undefined;
  if (buffer !== undefined) {
    maxClusters = Number(buffer);
    if (!/^[0-9]{1,9}$/.test(buffer) || maxClusters < 1) {
      throw new KusError('KUS_ERR_CONFIG', `${from('fleet-report-buffer')} ${JSON.stringify(buffer)} is not a number of clusters (1 or more, e.g. ${DEFAULT_FLEET_REPORT_BUFFER})`, { value: buffer });
    }
  }
  if (token === undefined || token === '') {
    if (maxClusters !== undefined) throw new KusError('KUS_ERR_CONFIG', `${from('fleet-report-buffer')} is given without --fleet-report-token: only a reporting replica buffers reports`);
    return undefined;
  }
  // The message never quotes the secret.
  if (token.length > 256 || /\s/.test(token)) throw new KusError('KUS_ERR_CONFIG', `${from('fleet-report-token')} is not a token (${token.length} characters, or blanks inside)`);
  return { token, ...(maxClusters === undefined ? {} : { maxClusters }) };
}

/** A duration flag (30d, 5s); a bad one is KUS_ERR_CONFIG naming the flag or its environment variable. */
function configDuration(value: string, name: string, fromEnv: Record<string, string>): number {
  try {
    return parseFleetDuration(value.trim(), fromEnv[name] ?? `--${name}`);
  } catch (err) {
    throw new KusError('KUS_ERR_CONFIG', (err as Error).message, { [name]: value });
  }
}
