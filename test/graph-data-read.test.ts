// readGraphData: upstream's file selection and classification rules, strict vs lenient problems, the shared fixtures.
import t from 'tap';
import { tempTree } from './helpers/temp-tree.js';
import { readGraphData, type Problem } from '../src/graph-data/index.js';
import { fixtureSnapshots, SKIP_NO_SHARED } from './helpers/shared-fixtures.js';

const snapshots = fixtureSnapshots();

const base = { version: '1.1.0\n', raw: { 'metadata.json': '{}' }, channels: {}, 'blocked-edges': {} };

const errorsOf = (problems: Problem[]): Problem[] => problems.filter((p) => p.severity === 'error');
const problemFor = (problems: Problem[], file: string): Problem | undefined => problems.find((p) => p.file === file);

const expected: Record<string, { channels: number; blocked: number }> = {
  '20200220.104838': { channels: 10, blocked: 11 },
  '20200319.204124': { channels: 16, blocked: 15 },
};

t.test('the shared fixtures read strictly without errors, _OWNERS skipped silently', { skip: snapshots.length === 0 ? SKIP_NO_SHARED : false }, async (t) => {
  for (const s of snapshots) {
    const { data, releases, problems } = readGraphData(s.graphData, { strict: true });
    t.same(errorsOf(problems), [], `${s.name}: no error problems`);
    t.notOk(problems.some((p) => p.file.includes('_OWNERS')), `${s.name}: _OWNERS is not reported`);
    t.equal(data.schemaVersion, '1.0.0');
    t.same(releases, []);
    t.equal(data.rawMetadata[0]?.[0], '4.1.0', 'raw metadata in file order');
    t.same(data.rawMetadata[0]?.[1], { 'io.openshift.upgrades.graph.previous.add': '4.1.0-rc.4,4.1.0-rc.9' });
    t.equal(data.conditionalEdges.length, 0);
    const want = expected[s.name];
    if (want) {
      t.equal(data.channels.length, want.channels, `${s.name}: channel files`);
      t.equal(data.blockedEdges.length, want.blocked, `${s.name}: blocked-edge files`);
    }
    t.same(data.blockedEdges.find((e) => e.file === '4.2.0.yaml'), { file: '4.2.0.yaml', to: '4.2.0', from: '4\\.1\\.20' });
    const files = data.channels.map((c) => c.file);
    t.same(files, [...files].sort(), 'channels sorted by file name');
    t.ok(data.channels.some((c) => c.versions.includes('4.2.16+amd64')), 'versions keep their build metadata');
  }
});

t.test('.yml is ignored with a warning; other extensions warned; yaaml read; files sorted by byte order', async (t) => {
  const dir = tempTree(t, {
    ...base,
    channels: {
      'stable-1.0.yml': 'name: stable-1.0\nversions: [1.0.0]\n',
      'b-1.yaml': 'name: b-1\nversions: []\n',
      'a-1.yaml': 'name: a-1\nversions: []\n',
      'B-1.yaaml': 'name: c-1\nversions: []\n',
      'notes.txt': 'hello',
      _OWNERS: 'approvers: []\n',
      README: 'no extension',
    },
  });
  const { data, problems } = readGraphData(dir, { strict: true });
  t.same(data.channels.map((c) => c.file), ['B-1.yaaml', 'a-1.yaml', 'b-1.yaml']);
  const yml = problemFor(problems, 'channels/stable-1.0.yml');
  t.equal(yml?.severity, 'warning');
  t.match(yml?.reason, /rename it to \.yaml/);
  t.match(problemFor(problems, 'channels/notes.txt'), { severity: 'warning', reason: /not a \.yaml file/ });
  t.match(problemFor(problems, 'channels/README'), { severity: 'warning', reason: /no file extension/ });
  t.equal(problemFor(problems, 'channels/_OWNERS'), undefined);
  // Upstream names a channel from its content; KUS refuses a file that says another name (docs/graph-data.md).
  t.match(errorsOf(problems), [{ file: 'channels/B-1.yaaml', reason: /name "c-1" differs from the file name "B-1\.yaaml"/ }]);
  t.equal(errorsOf(problems).length, 1);
});

t.test('blocked-edge classification', async (t) => {
  const dir = tempTree(t, {
    ...base,
    'blocked-edges': {
      '1-plain.yaml': 'to: 4.1.10\nfrom: .*\n',
      '2-cond.yaml': [
        'to: 4.2.0', 'from: ^4[.]1[.]', 'url: https://example.com/kb/1', 'name: StorageRisk', 'message: Storage may fail.',
        'matchingRules:', '- type: PromQL', '  promql:', '    promql: max(x)', '  ignored: true', 'fixedIn: 4.2.1', '',
      ].join('\n'),
      '3-no-message.yaml': 'to: 4.1.10\nfrom: .*\nurl: https://example.com\nname: Risk\n',
      '4-underscore.yaml': '_to: 4.1.10\n',
      '5-plain-extra.yaml': 'to: 4.1.10\nfrom: .*\nfixedIn: 4.1.11\n',
      '6-bad-semver.yaml': 'to: 4.1\nfrom: .*\n',
      '7-bad-regex.yaml': 'to: 4.1.11\nfrom: (?<=4)\\.1\n',
      '8-bad-yaml.yaml': 'to: [4.1.11\n',
      '9-list.yaml': '- to: 4.1.11\n',
      'a-second-plain.yaml': 'to: 4.1.10\nfrom: ^4\\.1\\.9[+]\n',
    },
  });
  const lenient = readGraphData(dir, { strict: false });
  t.same(lenient.data.blockedEdges, [
    { file: '1-plain.yaml', to: '4.1.10', from: '.*' },
    { file: 'a-second-plain.yaml', to: '4.1.10', from: '^4\\.1\\.9[+]' },
  ], 'plain files in name order; the second one for the same to is kept (last wins in the engine)');
  t.same(lenient.data.conditionalEdges, [{
    file: '2-cond.yaml',
    to: '4.2.0',
    from: '^4[.]1[.]',
    risk: { url: 'https://example.com/kb/1', name: 'StorageRisk', message: 'Storage may fail.', matchingRules: [{ type: 'PromQL', promql: { promql: 'max(x)' } }] },
    extra: { fixedIn: '4.2.1' },
  }]);
  t.same(errorsOf(lenient.problems), [], 'lenient: everything upstream skips is only a warning');

  const strict = readGraphData(dir, { strict: true });
  const p = (f: string): Problem | undefined => problemFor(strict.problems, `blocked-edges/${f}`);
  // Upstream skips these three and serves the edge; KUS refuses them on import (docs/graph-data.md).
  t.match(p('3-no-message.yaml'), { severity: 'error', reason: /lacks message, matchingRules.*NOT block "4\.1\.10"/ });
  t.match(p('4-underscore.yaml'), { severity: 'error', reason: /unknown key "_to".*neither/ });
  t.match(p('5-plain-extra.yaml'), { severity: 'error', reason: /unknown key "fixedIn"/ });
  t.match(p('6-bad-semver.yaml'), { severity: 'error', reason: /"4\.1" is not SemVer/ });
  t.match(p('7-bad-regex.yaml'), { severity: 'error', reason: /look-around/ });
  t.match(p('8-bad-yaml.yaml'), { severity: 'error', reason: /not valid YAML/ });
  t.match(p('9-list.yaml'), { severity: 'error', reason: /not a YAML mapping \(found a sequence\)/ });
  t.match(p('a-second-plain.yaml'), { severity: 'warning', reason: /again after blocked-edges\/1-plain\.yaml/ });
  t.equal(p('1-plain.yaml'), undefined);
  t.equal(p('2-cond.yaml'), undefined);
});

t.test('KUS-only conditional-edge rules: errors when strict, kept with a warning when lenient', async (t) => {
  const risk = (name: string, extra = ''): string =>
    `from: .*\nurl: https://example.com/kb\nname: ${name}\nmessage: Beware.\nmatchingRules:\n- type: Always\n${extra}`;
  const dir = tempTree(t, {
    ...base,
    'blocked-edges': {
      'a.yaml': `to: 4.2.0+arm64\n${risk('ArmRisk')}`,
      'b.yaml': `to: 4.2.1\n${risk('DupRisk')}`,
      'c.yaml': `to: 4.2.1\n${risk('DupRisk')}`,
      'd.yaml': 'to: 4.2.2\nfrom: .*\nurl: not a url\nname: BadRisk\nmessage: Beware.\nmatchingRules:\n- type: Always\n',
      'e.yaml': 'to: 4.2.3\nfrom: .*\nurl: https://example.com\nname: NoRules\nmessage: Beware.\nmatchingRules: []\n',
    },
  });
  const strict = readGraphData(dir, { strict: true });
  const reasons = Object.fromEntries(errorsOf(strict.problems).map((p) => [p.file, p.reason]));
  t.match(reasons['blocked-edges/a.yaml'], /"4\.2\.0\+arm64" carries build metadata/);
  t.match(reasons['blocked-edges/c.yaml'], /risk "DupRisk" for "4\.2\.1" again after blocked-edges\/b\.yaml/);
  t.match(reasons['blocked-edges/d.yaml'], /"not a url", which is not an absolute URI/);
  t.match(reasons['blocked-edges/e.yaml'], /at least one matching rule/);
  t.equal(reasons['blocked-edges/b.yaml'], undefined);

  const lenient = readGraphData(dir, { strict: false });
  t.same(errorsOf(lenient.problems), []);
  t.same(lenient.data.conditionalEdges.map((e) => e.file), ['a.yaml', 'b.yaml', 'c.yaml', 'd.yaml', 'e.yaml'], 'upstream uses them all');
});

t.test('channels: non-SemVer entries skip the file; bad names refused; extras kept', async (t) => {
  const dir = tempTree(t, {
    ...base,
    channels: {
      'bad-1.yaml': 'name: bad-1\nversions:\n- 4.2.0\n- 4.2\n',
      'nodash.yaml': 'name: stable\nversions: [4.2.0]\n',
      'fast-4.2.yaml': 'feeder:\n  name: candidate-4.2\n  delay: PT48H\nname: fast-4.2\nversions:\n- 4.2.0\ntombstones: [4.2.1]\n',
      'noname.yaml': 'versions: []\n',
    },
  });
  const strict = readGraphData(dir, { strict: true });
  t.match(problemFor(strict.problems, 'channels/bad-1.yaml'), { severity: 'error', reason: /"4\.2" is not SemVer/ });
  t.match(problemFor(strict.problems, 'channels/nodash.yaml'), { severity: 'error', reason: /"stable" has no "-"/ });
  t.match(problemFor(strict.problems, 'channels/noname.yaml'), { severity: 'error', reason: /has no name/ });
  t.same(strict.data.channels.find((c) => c.file === 'fast-4.2.yaml'), {
    file: 'fast-4.2.yaml', name: 'fast-4.2', versions: ['4.2.0'], extra: { feeder: { name: 'candidate-4.2', delay: 'PT48H' }, tombstones: ['4.2.1'] },
  });
  const lenient = readGraphData(dir, { strict: false });
  t.same(lenient.data.channels.map((c) => c.name), ['fast-4.2', 'stable'], 'lenient keeps what upstream keeps');
  t.same(errorsOf(lenient.problems), []);
});

t.test('version file and raw metadata', async (t) => {
  const newer = readGraphData(tempTree(t, { ...base, version: '1.3.0\n' }), { strict: true });
  t.same(errorsOf(newer.problems), []);
  t.match(problemFor(newer.problems, 'version'), { severity: 'warning', reason: /newer than 1\.2\.0/ });
  t.equal(newer.data.schemaVersion, '1.3.0');

  for (const [version, why] of [['2.0.0\n', /unsupported graph-data schema "2\.0\.0"/], ['one\n', /"one" is not SemVer/]] as const) {
    const bad = readGraphData(tempTree(t, { ...base, version }), { strict: false });
    t.match(problemFor(bad.problems, 'version'), { severity: 'error', reason: why }, 'an error in both modes');
  }
  const missing = readGraphData(tempTree(t, { raw: { 'metadata.json': '{}' }, channels: {}, 'blocked-edges': {} }), { strict: false });
  t.match(problemFor(missing.problems, 'version'), { severity: 'error', reason: /required file is missing/ });

  const raw = readGraphData(tempTree(t, { ...base, raw: { 'metadata.json': '{"4.1.0": {"k": 1}}' } }), { strict: false });
  t.match(problemFor(raw.problems, 'raw/metadata.json'), { severity: 'error', reason: /entry "4\.1\.0" key "k" must be a string/ });
  const notJson = readGraphData(tempTree(t, { ...base, raw: { 'metadata.json': '{' } }), { strict: true });
  t.match(problemFor(notJson.problems, 'raw/metadata.json'), { severity: 'error', reason: /not valid JSON/ });
  const oddKey = readGraphData(tempTree(t, { ...base, raw: { 'metadata.json': '{"latest": {"k": "v"}}' } }), { strict: true });
  t.match(problemFor(oddKey.problems, 'raw/metadata.json'), { severity: 'warning', reason: /"latest" is not SemVer/ });
});

t.test('invalid0: strict fails naming channels/, lenient reports each odd file', async (t) => {
  const dir = tempTree(t, {
    version: '1.0.0\n',
    raw: { 'metadata.json': '{}' },
    'blocked-edges': { 'invalid.extension': '', missing_extension: '', 'invalid_format.yaml': '_to: 4.1.10\n' },
  });
  const strict = readGraphData(dir, { strict: true });
  t.equal(errorsOf(strict.problems).length, 2, 'two errors');
  t.match(errorsOf(strict.problems), [
    { file: 'blocked-edges/invalid_format.yaml', reason: /unknown key "_to"/ },
    { file: 'channels/', reason: /required directory is missing/ },
  ]);

  const lenient = readGraphData(dir, { strict: false });
  t.match(problemFor(lenient.problems, 'blocked-edges/invalid.extension'), { reason: /not a \.yaml file/ });
  t.match(problemFor(lenient.problems, 'blocked-edges/missing_extension'), { reason: /no file extension/ });
  t.match(problemFor(lenient.problems, 'blocked-edges/invalid_format.yaml'), { reason: /neither a blocked edge nor a conditional edge/ });
  t.same(lenient.data.blockedEdges, []);
  t.same(lenient.data.channels, []);
});

t.test('releases/ extension', async (t) => {
  const digest = `sha256:${'a'.repeat(64)}`;
  const other = `sha256:${'b'.repeat(64)}`;
  const dir = tempTree(t, {
    ...base,
    releases: {
      '4.9.15+arm64.yaml': `version: 4.9.15\narch: arm64\npayload: registry.example/kylinsec/ocp-release@${digest}\nprevious: [4.9.0-rc.6]\nmetadata: {url: 'https://example.com/4.9.15'}\n`,
      '0.0.0.yaml': `version: 0.0.0\npayload: r.example/x@${digest}\ndigest: ${other}\n`,
      '4.9.16+arm64.yaml': `version: 4.9.16\narch: amd64\npayload: r.example/x@${digest}\n`,
      '4.9.17+arm64.yaml': `version: 4.9.17\narch: arm64\npayload: r.example/x:4.9.17\n`,
      '4.9.18+arm64.yaml': `version: 4.9.18\narch: arm64\npayload: r.example/x@${digest}\nchannels: [a-1]\n`,
    },
  });
  const { releases, problems } = readGraphData(dir, { strict: true });
  t.same(releases, [
    { version: '0.0.0', arch: null, payload: `r.example/x@${digest}`, digest: other, metadata: {}, previous: [], next: [] },
    {
      version: '4.9.15', arch: 'arm64', payload: `registry.example/kylinsec/ocp-release@${digest}`, digest,
      metadata: { url: 'https://example.com/4.9.15' }, previous: ['4.9.0-rc.6'], next: [],
    },
  ]);
  t.match(problemFor(problems, 'releases/4.9.16+arm64.yaml'), { severity: 'error', reason: /must be named "4\.9\.16\+amd64\.yaml"/ });
  t.match(problemFor(problems, 'releases/4.9.17+arm64.yaml'), { severity: 'error', reason: /not a pull spec by digest/ });
  t.match(problemFor(problems, 'releases/4.9.18+arm64.yaml'), { severity: 'error', reason: /unknown keys "channels"/ });
});
