// Lint rules, including the layering of src/ (docs/architecture.md): imports point inwards.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const io = ['fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'http', 'node:http', 'https', 'node:https',
  'zlib', 'node:zlib', 'crypto', 'node:crypto', 'child_process', 'node:child_process', 'net', 'node:net', 'openpgp'];

// One block per folder: which folders of src/ it must not import, and which packages.
const layer = (dir, forbiddenDirs, why, forbiddenPackages = [], extraPatterns = []) => {
  const packages = dir === 'store' ? forbiddenPackages : [...forbiddenPackages, 'better-sqlite3'];
  return {
    files: [`src/${dir}/**`],
    rules: {
      'no-restricted-imports': ['error', {
        paths: packages.map((name) => ({
          name,
          message: name === 'better-sqlite3' ? 'SQL stays in src/store' : 'the graph engine is pure: no I/O',
        })),
        patterns: [...forbiddenDirs.map((d) => ({ group: [`**/${d}/*`, `**/${d}/**`, `**/${d}/index.js`], message: why })), ...extraPatterns],
      }],
    },
  };
};

const all = ['errors', 'files', 'tar', 'graph', 'graph-data', 'store', 'registry', 'signatures', 'services', 'config', 'server', 'compose', 'cli', 'web'];
const except = (...keep) => all.filter((d) => !keep.includes(d));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'bench/out/**', '.tap/**', '.cache/**', '.scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly', console: 'readonly', URL: 'readonly', URLSearchParams: 'readonly', Buffer: 'readonly',
        setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly',
        AbortController: 'readonly', fetch: 'readonly', performance: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  layer('errors', except('errors'), 'src/errors imports nothing else from src/'),
  layer('files', except('errors', 'files'), 'src/files holds file-system helpers and imports only src/errors'),
  layer('tar', except('errors', 'tar'), 'src/tar is the one tar module (image layers, KUS archives) and imports only src/errors'),
  layer('graph', except('errors', 'graph'), 'the graph engine may import only src/errors', io),
  layer('graph-data', except('errors', 'files', 'tar', 'graph', 'graph-data'), 'graph-data sits below services and beside store'),
  layer('store', except('errors', 'files', 'graph', 'store'), 'the store sits below services'),
  layer('registry', except('errors', 'files', 'tar', 'graph', 'registry'), 'the registry client sits below services'),
  layer('signatures', except('errors', 'files', 'graph', 'signatures'), 'signatures sit below services'),
  layer('config', except('errors', 'config'), 'config is loaded once and handed out'),
  layer('services', ['server', 'compose', 'cli', 'web'], 'services do not know about HTTP or the CLI'),
  layer('server', ['store', 'compose', 'cli', 'web', 'graph-data', 'registry', 'tar'], 'the HTTP layer talks to services, never to stores or adapters'),
  // The composition root wires everything below it together; only the CLI imports it, through its index.ts.
  layer('compose', ['cli', 'web'], 'the composition root sits below the CLI only'),
  layer('cli', ['server', 'web', 'store'], 'the CLI talks to services or to a server over HTTP', [], [
    { group: ['**/compose/*', '!**/compose/index.js'], message: 'the CLI reaches the composition root through src/compose/index.ts only' },
  ]),
  // Every file of src/ sits in a folder above, so that an import rule applies to it.
  {
    files: ['src/*'],
    rules: { 'no-restricted-syntax': ['error', { selector: 'Program', message: 'put this file in a folder of src/ that has an import rule (eslint.config.js)' }] },
  },
  // The console runs in the browser and talks to the server only over HTTP: no src/ code but its own, no Node modules.
  layer('web', except('web'), 'the console talks to the server over HTTP only', [...io, 'node:path', 'path', 'node:url', 'pino', 'fastify']),
  {
    files: ['src/web/**'],
    languageOptions: {
      globals: {
        window: 'readonly', document: 'readonly', location: 'readonly', history: 'readonly', sessionStorage: 'readonly',
        addEventListener: 'readonly', removeEventListener: 'readonly', HTMLInputElement: 'readonly', HTMLSelectElement: 'readonly',
        HTMLDivElement: 'readonly', HTMLDetailsElement: 'readonly', SVGSVGElement: 'readonly', Element: 'readonly', Event: 'readonly', KeyboardEvent: 'readonly',
        PointerEvent: 'readonly', WheelEvent: 'readonly', RequestInit: 'readonly', process: 'off', Buffer: 'off',
      },
    },
  },
);
