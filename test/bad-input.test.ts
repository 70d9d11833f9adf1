// `kus import` refuses bad graph-data with KUS_ERR_GRAPH_DATA naming file and reason, and leaves the store untouched.
import t from 'tap';
import { tempTree } from './helpers/temp-tree.js';
import path from 'node:path';
import { openStore } from '../src/store/index.js';
import { runKus } from './helpers/run-cli.js';

const digest = (c: string): string => `sha256:${c.repeat(64)}`;

const good = {
  version: '1.1.0\n',
  raw: { 'metadata.json': '{"1.0.1": {"url": "https://e.x/1.0.1"}}' },
  channels: { 'stable-1.0.yaml': 'name: stable-1.0\nversions: [1.0.0, 1.0.1]\n' },
  'blocked-edges': { '1.0.1.yaml': 'to: 1.0.1\nfrom: ^0[.]\n' },
  releases: {
    '1.0.0+amd64.yaml': `version: 1.0.0\narch: amd64\npayload: r.example/x@${digest('a')}\n`,
    '1.0.1+amd64.yaml': `version: 1.0.1\narch: amd64\npayload: r.example/x@${digest('b')}\nprevious: [1.0.0]\n`,
  },
};

const risk = 'url: https://e.x/kb\nname: Risk\nmessage: Beware.\nmatchingRules:\n- type: Always\n';

/** name → changes to the good tree, the file that must be named, and the reason. */
const cases: Array<{ name: string; tree: Record<string, unknown>; file: string; reason: RegExp }> = [
  { name: 'bad YAML', tree: { channels: { 'stable-1.0.yaml': 'name: [stable-1.0\n' } }, file: 'channels/stable-1.0.yaml', reason: /not valid YAML/ },
  {
    name: 'channel version not SemVer', tree: { channels: { 'stable-1.0.yaml': "name: stable-1.0\nversions: ['1.0']\n" } },
    file: 'channels/stable-1.0.yaml', reason: /"1\.0" is not SemVer/,
  },
  { name: 'blocked to not SemVer', tree: { 'blocked-edges': { '1.0.1.yaml': "to: '1.0'\nfrom: .*\n" } }, file: 'blocked-edges/1.0.1.yaml', reason: /to "1\.0" is not SemVer/ },
  { name: 'bad regex', tree: { 'blocked-edges': { '1.0.1.yaml': 'to: 1.0.1\nfrom: (\n' } }, file: 'blocked-edges/1.0.1.yaml', reason: /from "\(" is not usable/ },
  { name: 'unsupported schema version', tree: { version: '2.0.0\n' }, file: 'version', reason: /unsupported graph-data schema "2\.0\.0"/ },
  { name: 'bad raw metadata', tree: { raw: { 'metadata.json': '{"1.0.1": {"url": 5}}' } }, file: 'raw/metadata.json', reason: /key "url" must be a string/ },
  {
    name: 'conditional to with build', tree: { 'blocked-edges': { '1.0.1.yaml': `to: 1.0.1+amd64\nfrom: .*\n${risk}` } },
    file: 'blocked-edges/1.0.1.yaml', reason: /"1\.0\.1\+amd64" carries build metadata/,
  },
  {
    name: 'bad risk', tree: { 'blocked-edges': { '1.0.1.yaml': `to: 1.0.1\nfrom: .*\n${risk.replace('https://e.x/kb', 'kb42')}` } },
    file: 'blocked-edges/1.0.1.yaml', reason: /url "kb42", which is not an absolute URI/,
  },
  {
    name: 'bad release file', tree: { releases: { '1.0.0+amd64.yaml': 'version: 1.0.0\narch: amd64\npayload: r.example/x:latest\n' } },
    file: 'releases/1.0.0+amd64.yaml', reason: /not a pull spec by digest/,
  },
];

t.test('each bad input fails kus import and leaves the store unchanged', async (t) => {
  const db = path.join(tempTree(t), 'kus.db');
  const seeded = runKus(['import', '--db', db, '--graph-data', tempTree(t, good)]);
  t.equal(seeded.status, 0, `seeding import succeeds: ${seeded.stderr}`);
  const store = openStore(db);
  const before = store.loadGraphInput();
  store.close();
  t.equal(before.releases.length, 2);

  for (const c of cases) {
    const dir = tempTree(t, { ...good, ...c.tree });
    const r = runKus(['import', '--db', db, '--graph-data', dir]);
    t.equal(r.status, 1, `${c.name}: exit 1`);
    t.match(r.stderr, /^KUS_ERR_GRAPH_DATA: refusing to import /, `${c.name}: coded error`);
    const line = r.stderr.split('\n').find((l) => l.startsWith(`${c.file}: `));
    t.match(line, c.reason, `${c.name}: names ${c.file} and the reason`);
    t.equal(r.stdout, '', `${c.name}: nothing on stdout`);
    const after = openStore(db);
    t.same(after.loadGraphInput(), before, `${c.name}: store unchanged`);
    after.close();
  }
});

t.test('input that would abort a rebuild (a cycle) is refused before anything is written', async (t) => {
  const db = path.join(tempTree(t), 'kus.db');
  t.equal(runKus(['import', '--db', db, '--graph-data', tempTree(t, good)]).status, 0);
  const cyclic = {
    ...good,
    releases: {
      ...good.releases,
      '1.0.0+amd64.yaml': `version: 1.0.0\narch: amd64\npayload: r.example/x@${digest('a')}\nprevious: [1.0.1]\n`,
    },
  };
  const store = openStore(db);
  const before = store.loadGraphInput();
  store.close();
  const r = runKus(['import', '--db', db, '--graph-data', tempTree(t, cyclic)]);
  t.equal(r.status, 1);
  t.match(r.stderr, /^KUS_ERR_CYCLE: /);
  const after = openStore(db);
  t.same(after.loadGraphInput(), before);
  after.close();
});

t.test('usage errors', async (t) => {
  const dir = tempTree(t, good);
  const server = runKus(['import', '--server', 'http://127.0.0.1:1', '--graph-data', dir]);
  t.equal(server.status, 2);
  t.match(server.stderr, /^KUS_ERR_USAGE: kus import works on a local store \(--db FILE\); it takes no --server/);
  const missing = runKus(['import', '--db', path.join(dir, 'x.db')]);
  t.equal(missing.status, 2);
  t.match(missing.stderr, /--graph-data is required/);
  const help = runKus(['import', '--help']);
  t.equal(help.status, 0);
  t.match(help.stdout, /Usage: kus import/);
  t.match(help.stdout, /Examples:/);
});
