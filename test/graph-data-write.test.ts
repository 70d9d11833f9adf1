// writeGraphData: read → write → read gives the same data; files written atomically; only owned files replaced.
import t from 'tap';
import { tempTree } from './helpers/temp-tree.js';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readGraphData, writeGraphData } from '../src/graph-data/index.js';
import { fixtureSnapshots, SKIP_NO_SHARED } from './helpers/shared-fixtures.js';

const snapshots = fixtureSnapshots();

const digest = `sha256:${'c'.repeat(64)}`;

const tree = {
  version: '1.2.0\n',
  raw: { 'metadata.json': '{"4.2.0": {"a": "1", "b": "x,y"}, "4.1.0": {"c": "2"}}' },
  channels: {
    'fast-4.2.yaml': 'feeder:\n  name: candidate-4.2\n  delay: PT48H\nname: fast-4.2\nversions:\n- 4.2.0\n- 4.1.0+amd64\ntombstones: [4.1.9]\n',
    'stable-4.2.yaml': 'name: stable-4.2\nversions: []\n',
    _OWNERS: 'approvers: []\n',
  },
  'blocked-edges': {
    '4.2.0.yaml': 'to: 4.2.0\nfrom: ^4\\.1\\.(18|20)[+].*$\n',
    '4.2.0-risk.yaml': [
      'to: 4.2.0', 'from: .*', 'url: https://example.com/kb/2', 'name: MultiLine', 'message: |-', '  first line', '  second: line',
      'matchingRules:', '- type: PromQL', '  promql:', '    promql: |', '      topk(1, x)', '- type: Always', 'fixedIn: 4.2.1', 'autoExtend: true', '',
    ].join('\n'),
  },
  releases: {
    '4.2.0+amd64.yaml': `version: 4.2.0\narch: amd64\npayload: r.example/x@${digest}\nprevious: [4.1.0]\nnext: [4.2.1]\nmetadata: {url: 'https://e.x/1', description: 'two words'}\n`,
    '4.1.0.yaml': `version: 4.1.0\npayload: r.example/x@${digest}\ndigest: null\n`,
  },
};

t.test('read → write → read is identical, extras and digest null included', async (t) => {
  const src = tempTree(t, tree);
  const first = readGraphData(src, { strict: true });
  t.same(first.problems, [], 'the sample reads without problems');
  t.equal(first.releases.find((r) => r.arch === null)?.digest, null);
  const out = path.join(tempTree(t), 'out');
  writeGraphData(out, first);
  const second = readGraphData(out, { strict: true });
  t.same(second.problems, []);
  t.same(second.data, first.data);
  t.same(second.releases, first.releases);
  t.equal(readFileSync(path.join(out, 'version'), 'utf8'), '1.2.0\n');
  t.same(readdirSync(path.join(out, 'blocked-edges')).sort(), ['4.2.0-risk.yaml', '4.2.0.yaml'], 'original file names, no temp files left');
  t.same(Object.keys(JSON.parse(readFileSync(path.join(out, 'raw/metadata.json'), 'utf8')) as object), ['4.2.0', '4.1.0'], 'raw metadata order kept');
});

t.test('the shared fixtures survive read → write → read', { skip: snapshots.length === 0 ? SKIP_NO_SHARED : false }, async (t) => {
  for (const s of snapshots) {
    const first = readGraphData(s.graphData, { strict: true });
    const out = tempTree(t);
    writeGraphData(out, first);
    const second = readGraphData(out, { strict: true });
    t.same(second.data, first.data, s.name);
    t.same(second.problems, [], `${s.name}: written files read without problems`);
  }
});

t.test('export into an existing directory replaces only the files it owns', async (t) => {
  const dir = tempTree(t, {
    ...tree,
    'README.md': 'keep me',
    channels: { ...tree.channels, 'old-1.yaml': 'name: old-1\nversions: []\n', 'legacy-1.yml': 'name: legacy-1\nversions: []\n' },
    hack: { 'script.sh': 'echo' },
  });
  const read = readGraphData(dir, { strict: false });
  const data = { ...read.data, channels: read.data.channels.filter((c) => c.file !== 'old-1.yaml') };
  writeGraphData(dir, { data, releases: read.releases.slice(0, 1) });
  t.notOk(existsSync(path.join(dir, 'channels/old-1.yaml')), 'a channel the data no longer has is removed');
  t.ok(existsSync(path.join(dir, 'channels/_OWNERS')), '_OWNERS kept');
  t.ok(existsSync(path.join(dir, 'channels/legacy-1.yml')), '.yml kept (not ours: upstream never reads it)');
  t.equal(readFileSync(path.join(dir, 'README.md'), 'utf8'), 'keep me');
  t.ok(existsSync(path.join(dir, 'hack/script.sh')));
  t.same(readdirSync(path.join(dir, 'releases')), ['4.1.0.yaml'], 'stale release file removed');
  t.same(readGraphData(dir, { strict: false }).data, data);
});

t.test('refuses file names that would escape their folder or not be read back', async (t) => {
  const read = readGraphData(tempTree(t, tree), { strict: true });
  for (const file of ['../evil.yaml', 'notes.txt', '.hidden.yaml']) {
    const data = { ...read.data, blockedEdges: [{ file, to: '1.0.0', from: '.*' }] };
    const out = tempTree(t);
    t.throws(() => writeGraphData(out, { data, releases: [] }), { code: 'KUS_ERR_GRAPH_DATA' }, file);
    t.notOk(existsSync(path.join(out, 'version')), 'nothing written');
  }
  const clash = { ...read.data, blockedEdges: [{ file: '4.2.0-risk.yaml', to: '1.0.0', from: '.*' }] };
  t.throws(() => writeGraphData(tempTree(t), { data: clash, releases: [] }), { code: 'KUS_ERR_GRAPH_DATA', message: /two documents/ });
});
