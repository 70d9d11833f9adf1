// `kus channel ...` and `kus edge ...` on a local store (--db): output, exit codes and the rows they leave.
import t from 'tap';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { json, kusOn, payload, stored, succeeds } from './helpers/cli-local.js';
import { repoRoot } from './helpers/shared-fixtures.js';
import { tempTree } from './helpers/temp-tree.js';

if (!existsSync(path.join(repoRoot, 'dist/cli/main.js'))) throw new Error('dist/cli/main.js is missing: run "npm run build" first (npm test does it)');

t.test('channels: create, add (promotion), remove, delete, list', async (t) => {
  const db = path.join(tempTree(t), 'kus.db');
  const kus = kusOn(db);
  for (const c of ['candidate-5.0', 'fast-5.0', 'stable-5.0']) succeeds(t, kus('channel', 'create', c));
  succeeds(t, kus('release', 'add', '--version', '5.0.0', '--arch', 'arm64', '--payload', payload(1), '--channel', 'candidate-5.0'));
  succeeds(t, kus('release', 'add', '--version', '5.0.1', '--arch', 'arm64', '--payload', payload(2), '--previous', '5.0.0'));

  let r = kus('channel', 'add', 'candidate-5.0', '5.0.1');
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /^added 5\.0\.1 to channel candidate-5\.0 in store /);
  for (const c of ['fast-5.0', 'stable-5.0']) {
    for (const v of ['5.0.0', '5.0.1']) t.equal(kus('channel', 'add', c, v).status, 0, `promote ${v} to ${c}`);
  }
  const channels = stored(db).graphData.channels;
  t.same(channels.map((c) => [c.name, c.versions]), [
    ['candidate-5.0', ['5.0.0', '5.0.1']],
    ['fast-5.0', ['5.0.0', '5.0.1']],
    ['stable-5.0', ['5.0.0', '5.0.1']],
  ]);

  r = kus('channel', 'list');
  t.equal(r.status, 0, r.stderr);
  t.same(r.stdout.trimEnd().split('\n').map((l) => l.split(/\s+/)), [
    ['CHANNEL', 'VERSIONS', 'LAST', 'LISTED'],
    ['candidate-5.0', '2', '5.0.1'],
    ['fast-5.0', '2', '5.0.1'],
    ['stable-5.0', '2', '5.0.1'],
  ]);
  t.equal(kus('channel', 'list', 'fast-5.0').stdout, '5.0.0\n5.0.1\n');
  t.match(json<Array<{ name: string; versions: string[] }>>(kus('channel', 'list', '--json')), [{ name: 'candidate-5.0', versions: ['5.0.0', '5.0.1'] }]);
  r = kus('channel', 'list', 'eus-5.0');
  t.equal(r.status, 1);
  t.match(r.stderr, /^KUS_ERR_NOT_FOUND: there is no channel "eus-5\.0"/);

  r = kus('channel', 'add', 'eus-5.0', '5.0.0');
  t.equal(r.status, 1, 'an unknown channel is refused');
  t.match(r.stderr, /^KUS_ERR_NOT_FOUND: .*eus-5\.0/);
  r = kus('channel', 'add', 'fast-5.0', '5.0.9');
  t.equal(r.status, 1, 'a version without a release is refused');
  t.match(r.stderr, /^KUS_ERR_NOT_FOUND: .*5\.0\.9/);
  r = kus('channel', 'add', 'fast-5.0', '5.0.0+amd64');
  t.equal(r.status, 1, 'a version whose arch has no release is refused');
  t.match(r.stderr, /^KUS_ERR_NOT_FOUND: no release 5\.0\.0 is stored for amd64/);
  r = kus('channel', 'create', 'Stable');
  t.equal(r.status, 1);
  t.match(r.stderr, /^KUS_ERR_INVALID_CHANNEL: .*"Stable"/);
  r = kus('channel', 'create', 'fast-5.0');
  t.equal(r.status, 0, 'creating an existing channel is a no-op');
  t.equal(r.stdout, 'channel fast-5.0 exists already; nothing changed\n');

  r = kus('channel', 'remove', 'stable-5.0', '5.0.1');
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /^removed 5\.0\.1 from channel stable-5\.0/);
  r = kus('channel', 'delete', 'candidate-5.0');
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /^deleted channel candidate-5\.0/);
  t.same(stored(db).graphData.channels.map((c) => [c.name, c.versions]), [
    ['fast-5.0', ['5.0.0', '5.0.1']],
    ['stable-5.0', ['5.0.0']],
  ]);
  r = kus('channel', 'delete', 'candidate-5.0');
  t.equal(r.status, 1);
  t.match(r.stderr, /^KUS_ERR_NOT_FOUND: .*candidate-5\.0/);
  t.same(kus('release', 'list', '--json', '--channel', 'stable-5.0').stdout.includes('5.0.1'), false, 'list --channel follows the channel');
});

t.test('edges: block, risk, list, remove, and the refusals', async (t) => {
  const db = path.join(tempTree(t), 'kus.db');
  const kus = kusOn(db);
  succeeds(t, kus('release', 'add', '--version', '5.0.0', '--arch', 'arm64', '--payload', payload(1)));
  succeeds(t, kus('release', 'add', '--version', '5.0.1', '--arch', 'arm64', '--payload', payload(2), '--previous', '5.0.0'));

  let r = kus('edge', 'block', '--to', '5.0.1', '--from-version', '5.0.0');
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /^blocked \S+ -> 5\.0\.1 \(\S+\.yaml\) in store /);
  r = kus('edge', 'risk', '--to', '5.0.1', '--from', '^5[.]0[.]0[+].*$', '--url', 'https://docs.kylinsec.example/risk',
    '--name', 'EtcdDefragRequired', '--message', 'Defragment etcd first.', '--promql', 'vector(1)', '--always', '--json');
  t.equal(r.status, 0, r.stderr);
  const risk = json<{ file: string; to: string; from: string; risk: { name: string; matchingRules: unknown[] } }>(r);
  t.match(risk, { to: '5.0.1', from: '^5[.]0[.]0[+].*$', risk: { name: 'EtcdDefragRequired' } });
  t.same(risk.risk.matchingRules, [{ type: 'PromQL', promql: { promql: 'vector(1)' } }, { type: 'Always' }], 'PromQL first, Always after');

  const data = stored(db).graphData;
  t.equal(data.blockedEdges.length, 1);
  t.equal(data.blockedEdges[0]!.to, '5.0.1');
  t.ok(new RegExp(data.blockedEdges[0]!.from).test('5.0.0+arm64'), `the --from-version regex ${data.blockedEdges[0]!.from} matches 5.0.0+arm64`);
  t.notOk(new RegExp(data.blockedEdges[0]!.from).test('5.0.01+arm64'), 'and is anchored');
  t.same(data.conditionalEdges.map((e) => e.risk.name), ['EtcdDefragRequired']);

  r = kus('edge', 'list');
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /^Blocked edges:\nFILE\s+TO\s+FROM\n/);
  t.match(r.stdout, /\nConditional edges:\nFILE\s+TO\s+FROM\s+RISK\s+RULES\n\S+\s+5\.0\.1\s+\S+\s+EtcdDefragRequired\s+PromQL,Always\n/);
  const listed = json<{ blocked: Array<{ file: string }>; conditional: Array<{ file: string }> }>(kus('edge', 'list', '--json'));
  t.equal(listed.blocked.length, 1);
  t.equal(listed.conditional[0]!.file, risk.file);

  const refusals: Array<[string[], number, RegExp]> = [
    [['edge', 'block', '--to', '5.0.1'], 2, /^KUS_ERR_USAGE: give exactly one of --from REGEX and --from-version V/],
    [['edge', 'block', '--to', '5.0.1', '--from', 'x', '--from-version', '5.0.0'], 2, /^KUS_ERR_USAGE: give exactly one/],
    [['edge', 'block', '--to', '5.0.1', '--from', '^5[.]0(?=x)'], 1, /^KUS_ERR_INVALID_REGEX: .*5\[\.\]0\(\?=x\)/],
    [['edge', 'block', '--to', '5.0', '--from-version', '5.0.0'], 1, /^KUS_ERR_INVALID_SEMVER: .*"5\.0"/],
    [['edge', 'risk', '--to', '5.0.1', '--from-version', '5.0.0', '--url', 'https://x.example', '--name', 'N', '--message', 'm'], 2,
      /^KUS_ERR_USAGE: give at least one matching rule/],
    [['edge', 'risk', '--to', '5.0.1', '--from-version', '5.0.0', '--url', 'https://x.example', '--name', 'N', '--message', 'm', '--promql', ' '], 1,
      /^KUS_ERR_INVALID_RISK: /],
    [['edge', 'risk', '--to', '5.0.1', '--from-version', '5.0.0', '--url', 'not a url', '--name', 'N', '--message', 'm', '--always'], 1,
      /^KUS_ERR_INVALID_RISK: .*"not a url"/],
    [['edge', 'remove', 'nope.yaml'], 1, /^KUS_ERR_NOT_FOUND: .*nope\.yaml/],
  ];
  for (const [args, status, stderr] of refusals) {
    r = kus(...args);
    t.equal(r.status, status, `${args.join(' ')} exits ${status}`);
    t.match(r.stderr, stderr, args.join(' '));
  }
  t.same(stored(db).graphData, data, 'no refusal changed the graph-data');

  r = kus('edge', 'remove', listed.blocked[0]!.file);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, new RegExp(`^removed ${listed.blocked[0]!.file.replace(/[.]/g, '[.]')} from store `));
  t.equal(stored(db).graphData.blockedEdges.length, 0);
});
