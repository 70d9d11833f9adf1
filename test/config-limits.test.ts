// loadLimitsConfig and `kus serve`'s limit flags: defaults, flags over environment, loud failures naming the setting.
import t from 'tap';
import { LIMIT_DEFAULTS, loadLimitsConfig } from '../src/config/index.js';
import { runKus } from './helpers/run-cli.js';

t.test('defaults: 60 s per request, 10 s for headers, 1024 connections, 8 MiB mirror documents, 10 bad tokens a minute', async (t) => {
  t.same(loadLimitsConfig({}, {}), {
    requestTimeoutMs: 60_000, headersTimeoutMs: 10_000, maxConnections: 1024, mirrorBodyBytes: 8 * 1024 * 1024, authFailures: { max: 10, windowMs: 60_000 },
  });
  t.same(loadLimitsConfig({}, {}), LIMIT_DEFAULTS);
  t.ok(Object.isFrozen(loadLimitsConfig({}, {}).authFailures));
});

t.test('flags win over environment variables', async (t) => {
  const env = { KUS_REQUEST_TIMEOUT: '30', KUS_HEADERS_TIMEOUT: '5', KUS_MAX_CONNECTIONS: '200', KUS_MIRROR_BODY_LIMIT: '16', KUS_AUTH_FAILURE_LIMIT: '3' };
  t.same(loadLimitsConfig({}, env), { requestTimeoutMs: 30_000, headersTimeoutMs: 5_000, maxConnections: 200, mirrorBodyBytes: 16 * 1024 * 1024, authFailures: { max: 3, windowMs: 60_000 } });
  t.same(loadLimitsConfig({ requestTimeout: '2.5', headersTimeout: '1', maxConnections: '7' }, env).requestTimeoutMs, 2_500);
  t.same(loadLimitsConfig({ requestTimeout: '2.5', headersTimeout: '1', maxConnections: '7' }, env).maxConnections, 7);
  t.equal(loadLimitsConfig({ requestTimeout: '4' }, {}).headersTimeoutMs, 4_000, 'a request timeout under 10 s lowers the default headers timeout with it');
});

t.test('bad values stop with KUS_ERR_CONFIG naming the flag or variable and the value', async (t) => {
  const cases: Array<[Parameters<typeof loadLimitsConfig>[0], NodeJS.ProcessEnv, RegExp]> = [
    [{ requestTimeout: 'soon' }, {}, /^--request-timeout "soon" is not a number of seconds/],
    [{ requestTimeout: '0' }, {}, /^--request-timeout "0" is not a number of seconds \(from 0.1 to 3600\)/],
    [{}, { KUS_MAX_CONNECTIONS: '-1' }, /^KUS_MAX_CONNECTIONS "-1" is not a number of connections/],
    [{ maxConnections: '1.5' }, {}, /^--max-connections "1.5"/],
    [{ mirrorBodyLimit: '0' }, {}, /^--mirror-body-limit "0" is not a size in MiB/],
    [{ authFailureLimit: 'many' }, {}, /^--auth-failure-limit "many"/],
    [{ requestTimeout: '5', headersTimeout: '20' }, {}, /^--headers-timeout "20" is longer than the request timeout \(5 s\)/],
  ];
  for (const [flags, env, message] of cases) t.throws(() => loadLimitsConfig(flags, env), { code: 'KUS_ERR_CONFIG', message }, String(message));
});

t.test('kus serve --help teaches the limit flags; a bad one stops the start', async (t) => {
  const help = runKus(['serve', '--help']);
  t.equal(help.status, 0);
  for (const flag of ['--request-timeout SECONDS', '--headers-timeout SECONDS', '--max-connections N', '--mirror-body-limit MIB', '--auth-failure-limit N']) {
    t.match(help.stdout, flag, `help lists ${flag}`);
  }
  t.match(help.stdout, /KUS_MAX_CONNECTIONS/);
  const bad = runKus(['serve', '--port', '0', '--host', '127.0.0.1', '--max-connections', 'lots', '--db', '/nonexistent-dir-for-test/kus.db']);
  t.not(bad.status, 0, 'exits non-zero');
  t.match(bad.stderr, /^KUS_ERR_CONFIG: --max-connections "lots" is not a number of connections/m);
});
