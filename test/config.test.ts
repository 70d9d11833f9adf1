// loadConfig: defaults with their meaning, flags over environment over defaults, loud failures, frozen result.
import t from 'tap';
import path from 'node:path';
import { KusError } from '../src/errors/index.js';
import { loadConfig } from '../src/config/index.js';


t.test('defaults: all interfaces on 8080, ./data/kus.db, no seeding (example data only when asked), info', async (t) => {
  const c = loadConfig({}, {});
  t.same(c, {
    server: { host: '0.0.0.0', port: 8080 },
    store: { file: path.resolve('data/kus.db'), from: 'default' },
    graphData: null,
    log: { level: 'info' },
    registry: { authFile: null, insecure: false, caFile: null },
    watch: { repositories: [], intervalSeconds: 300 },
  });
});

t.test('flags win over environment variables, which win over defaults', async (t) => {
  const env = { KUS_HOST: '127.0.0.1', KUS_PORT: '9000', KUS_DB: '/tmp/env.db', KUS_GRAPH_DATA: '/tmp/gd', KUS_LOG_LEVEL: 'WARN' };
  t.same(loadConfig({}, env), {
    server: { host: '127.0.0.1', port: 9000 },
    store: { file: '/tmp/env.db', from: 'KUS_DB' },
    graphData: { dir: '/tmp/gd', from: 'KUS_GRAPH_DATA' },
    log: { level: 'warn' },
    registry: { authFile: null, insecure: false, caFile: null },
    watch: { repositories: [], intervalSeconds: 300 },
  });
  const c = loadConfig({ host: '::1', port: '0', db: 'rel/x.db', graphData: '/srv/gd', logLevel: 'silent' }, env);
  t.same(c, { server: { host: '::1', port: 0 }, store: { file: path.resolve('rel/x.db'), from: '--db' }, graphData: { dir: '/srv/gd', from: '--graph-data' }, log: { level: 'silent' },
    registry: { authFile: null, insecure: false, caFile: null }, watch: { repositories: [], intervalSeconds: 300 } });
  t.equal(loadConfig({}, { KUS_PORT: '' }).server.port, 8080, 'an empty variable counts as unset');
});

t.test('bad values throw KUS_ERR_CONFIG naming the setting and quoting the value', async (t) => {
  const cases: Array<[Parameters<typeof loadConfig>[0], NodeJS.ProcessEnv, RegExp]> = [
    [{ port: '80a' }, {}, /^--port "80a" is not a port number/],
    [{ port: '65536' }, {}, /^--port "65536"/],
    [{ port: 3.5 }, {}, /^--port "3.5"/],
    [{}, { KUS_PORT: '-1' }, /^KUS_PORT "-1"/],
    [{ host: 'a b' }, {}, /^--host "a b" is not a host/],
    [{ db: ' ' }, {}, /^--db " " is not a usable path/],
    [{ graphData: '' }, {}, /^--graph-data "" is not a usable path/],
    [{ logLevel: 'verbose' }, {}, /^--log-level "verbose" is not a log level \(one of fatal, error/],
    [{}, { KUS_LOG_LEVEL: 'loud' }, /^KUS_LOG_LEVEL "loud"/],
  ];
  for (const [flags, env, message] of cases) {
    const what = `${JSON.stringify(flags)} ${JSON.stringify(env)}`;
    let caught: unknown;
    try {
      loadConfig(flags, env);
    } catch (err) {
      caught = err;
    }
    t.ok(caught instanceof KusError, `${what} throws a KusError`);
    t.equal((caught as KusError).code, 'KUS_ERR_CONFIG', what);
    t.match((caught as KusError).message, message, what);
  }
});

t.test('the configuration is frozen all the way down', async (t) => {
  const c = loadConfig({}, {});
  t.ok(Object.isFrozen(c) && Object.isFrozen(c.server) && Object.isFrozen(c.store) && Object.isFrozen(loadConfig({ graphData: 'gd' }, {}).graphData) && Object.isFrozen(c.log));
  t.throws(() => {
    (c.server as { port: number }).port = 1;
  }, TypeError);
});
