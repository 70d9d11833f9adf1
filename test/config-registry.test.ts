// loadConfig's registry and watch settings: --watch (repeatable) / KUS_WATCH, intervals, booleans, loud failures.
import t from 'tap';
import path from 'node:path';
import { KusError } from '../src/errors/index.js';
import { loadConfig } from '../src/config/index.js';

t.test('defaults: anonymous, TLS, no CA, nothing watched, 300 s', async (t) => {
  const c = loadConfig({}, {});
  t.same(c.registry, { authFile: null, insecure: false, caFile: null });
  t.same(c.watch, { repositories: [], intervalSeconds: 300 });
  t.ok(Object.isFrozen(c.watch.repositories), 'frozen');
});

t.test('flags win over the environment', async (t) => {
  const env = {
    KUS_WATCH: 'a.example/x, b.example:5000/y  a.example/x',
    KUS_WATCH_INTERVAL: '60',
    KUS_REGISTRY_AUTH: 'auth.json',
    KUS_REGISTRY_INSECURE: 'TRUE',
    KUS_REGISTRY_CA_FILE: '/etc/ca.pem',
  };
  const fromEnv = loadConfig({}, env);
  t.same(fromEnv.watch, { repositories: ['a.example/x', 'b.example:5000/y'], intervalSeconds: 60 }, 'comma or blank separated, deduplicated');
  t.same(fromEnv.registry, { authFile: path.resolve('auth.json'), insecure: true, caFile: '/etc/ca.pem' });
  const fromFlags = loadConfig({ watch: ['c.example/z'], watchInterval: '0.5', registryInsecure: 'false', registryAuth: '/x.json' }, env);
  t.same(fromFlags.watch, { repositories: ['c.example/z'], intervalSeconds: 0.5 });
  t.same(fromFlags.registry, { authFile: '/x.json', insecure: false, caFile: '/etc/ca.pem' });
});

t.test('bad values throw KUS_ERR_CONFIG naming the setting', async (t) => {
  const cases: Array<[Parameters<typeof loadConfig>[0], NodeJS.ProcessEnv, RegExp]> = [
    [{ watchInterval: '0' }, {}, /^--watch-interval "0" is not a number of seconds/],
    [{ watchInterval: '5m' }, {}, /^--watch-interval "5m"/],
    [{}, { KUS_WATCH_INTERVAL: '-3' }, /^KUS_WATCH_INTERVAL "-3"/],
    [{}, { KUS_REGISTRY_INSECURE: 'maybe' }, /^KUS_REGISTRY_INSECURE "maybe" is not a boolean/],
    [{ watch: ['a b'] }, {}, /^--watch "a b" is not a repository/],
    [{ registryAuth: ' ' }, {}, /^--registry-auth " " is not a usable path/],
  ];
  for (const [flags, env, message] of cases) {
    const err = (() => {
      try {
        loadConfig(flags, env);
        return null;
      } catch (e) {
        return e;
      }
    })();
    t.ok(err instanceof KusError && err.code === 'KUS_ERR_CONFIG', `${JSON.stringify(flags)} ${JSON.stringify(env)}: KUS_ERR_CONFIG`);
    t.match((err as Error).message, message);
  }
});
