// `kus serve`: run the update service (graph API for clusters, metrics, OpenAPI) until SIGINT/SIGTERM.
import { loadConfig, CONFIG_ENV, DEFAULTS } from '../../config/index.js';
import { closeOnSignal, startServer } from '../../main.js';
import { stringFlag, writeJson, type Command } from '../command.js';

export const command: Command = {
  path: ['serve'],
  summary: 'Run the update service that clusters point spec.upstream at',
  description:
    'Opens (or creates) the SQLite store, seeds it from a graph-data directory when it is empty, builds the\n' +
    'graph, and serves it at /api/upgrades_info/graph (also /api/upgrades_info/v1/graph, /graph, /v1/graph).\n' +
    'Also: /readyz, /livez, /metrics (Prometheus), /openapi.json and /docs. Stops cleanly on SIGINT/SIGTERM.\n' +
    'Flags win over environment variables, which win over the defaults; a bad value stops the start with KUS_ERR_CONFIG.',
  flags: {
    host: { type: 'string', valueName: 'ADDR', description: `interface to listen on (default ${DEFAULTS.host}, env ${CONFIG_ENV.host})` },
    port: { type: 'string', valueName: 'PORT', description: `TCP port, 0 for any free port (default ${DEFAULTS.port}, env ${CONFIG_ENV.port})` },
    db: { type: 'string', valueName: 'FILE', description: `SQLite store, created when missing (default ${DEFAULTS.db}, env ${CONFIG_ENV.db})` },
    'graph-data': {
      type: 'string',
      valueName: 'DIR',
      description: `graph-data directory that seeds an empty store (default: the example graph-data/ shipped with KUS, env ${CONFIG_ENV.graphData})`,
    },
    'log-level': { type: 'string', valueName: 'LEVEL', description: `fatal, error, warn, info, debug, trace or silent (default ${DEFAULTS.logLevel}, env ${CONFIG_ENV.logLevel})` },
  },
  examples: [
    'kus serve',
    'kus serve --host 127.0.0.1 --port 9090 --db /var/lib/kus/kus.db',
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
      },
      ctx.env,
    );
    const server = await startServer(config);
    const graphUrl = `${server.url}/api/upgrades_info/graph`;
    if (ctx.json) writeJson(ctx.stdout, { url: server.url, graph: graphUrl, db: config.store.file, ready: server.graphs.ready });
    else ctx.stdout.write(`kus: listening on ${server.url} (graph: ${graphUrl}, store: ${config.store.file})\n`);
    await closeOnSignal(server);
    return 0;
  },
};
