// Graph-data regexes are Rust's dialect on a linear-time engine: through the pure build, `kus import` + the served
// graph, the admin API, and the bounded memo of compiled patterns.
import path from 'node:path';
import t from 'tap';
import {
  buildGraph, compileRegex, isValidRegex, regexSearch, type BlockedEdgeDoc, type ConditionalEdgeDoc, type GraphData, type Release,
} from '../src/graph/index.js';
import { REGEX_MEMO_LIMIT } from '../src/graph/regex.js';
import { buildApp } from '../src/server/app.js';
import { GraphCache } from '../src/services/graph-cache.js';
import { openStore } from '../src/store/index.js';
import { adminApp, silentLogger } from './helpers/admin-app.js';
import { runKus } from './helpers/run-cli.js';
import { tempTree } from './helpers/temp-tree.js';

/** JavaScript's RegExp needs seconds for this pattern on this version (each extra "a" doubles it); RE2 does not. */
const EVIL = '^4[.]9[.]15-(a+)+$';
const LONG = `4.9.15-${'a'.repeat(30)}`;

const digest = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;
const rel = (version: string, previous: string[], n: number): Release =>
  ({ version, arch: 'amd64', payload: `r.example/x@${digest(n)}`, digest: digest(n), metadata: {}, previous, next: [] });
const risk = { url: 'https://kb.example/r', name: 'R', message: 'Beware.', matchingRules: [{ type: 'Always' }] };

t.test('a pattern that backtracks catastrophically in JavaScript builds a whole graph, with the right edges', async (t) => {
  const releases = [
    rel('4.9.14', [], 1), rel(LONG, ['4.9.14'], 2),
    rel('4.9.16', [LONG, '4.9.14'], 3), rel('4.9.17', [LONG, '4.9.14'], 4), rel('4.9.18', [LONG, '4.9.14'], 5),
  ];
  const blockedEdges: BlockedEdgeDoc[] = [
    { file: '4.9.16.yaml', to: '4.9.16', from: EVIL }, // `$` right after the version never matches a +arch node
    { file: '4.9.17.yaml', to: '4.9.17', from: '^4[.]9[.]15-(a+)+[+]amd64$' },
  ];
  const conditionalEdges: ConditionalEdgeDoc[] = [{ file: '4.9.18.yaml', to: '4.9.18', from: '^4[.]9[.]15-(a+)+[+]', risk }];
  const graphData: GraphData = { schemaVersion: '1.1.0', rawMetadata: [], blockedEdges, conditionalEdges, channels: [] };
  const { graph } = buildGraph({ releases, graphData });
  const edges = [...graph.edges()].map(([f, to]) => `${f} -> ${to}`).sort();
  t.same(edges, [
    `4.9.14+amd64 -> ${LONG}+amd64`, '4.9.14+amd64 -> 4.9.16+amd64', '4.9.14+amd64 -> 4.9.17+amd64', '4.9.14+amd64 -> 4.9.18+amd64',
    `${LONG}+amd64 -> 4.9.16+amd64`,
  ]);
  t.same(graph.conditional, [{ edges: [{ from: `${LONG}+amd64`, to: '4.9.18+amd64' }], risks: [risk] }]);
  t.notOk(regexSearch(EVIL, `${LONG}+amd64`));
  t.ok(regexSearch(EVIL, LONG), 'and it does match the bare version');
});

const digestOf = (c: string): string => `sha256:${c.repeat(64)}`;
const releaseFile = (version: string, c: string, previous: string[]): string =>
  `version: ${version}\narch: amd64\npayload: r.example/x@${digestOf(c)}\nprevious: [${previous.join(', ')}]\n`;
const tree = (blocked: Record<string, string>) => ({
  version: '1.1.0\n',
  raw: { 'metadata.json': '{}' },
  channels: { 'stable-4.9.yaml': 'name: stable-4.9\nversions: [4.9.0, 4.9.1, 4.9.2, 4.9.3, 4.9.4]\n' },
  'blocked-edges': blocked,
  releases: {
    '4.9.0+amd64.yaml': releaseFile('4.9.0', 'a', []),
    '4.9.1+amd64.yaml': releaseFile('4.9.1', 'b', ['4.9.0']),
    '4.9.2+amd64.yaml': releaseFile('4.9.2', 'c', ['4.9.0', '4.9.1']),
    '4.9.3+amd64.yaml': releaseFile('4.9.3', 'd', ['4.9.0', '4.9.1']),
    '4.9.4+amd64.yaml': releaseFile('4.9.4', 'e', ['4.9.0', '4.9.1']),
  },
});

t.test('(?i), \\A and \\z, which JavaScript refused, work end to end: kus import, then the served graph', async (t) => {
  const dir = tempTree(t, tree({
    '4.9.2.yaml': 'to: 4.9.2\nfrom: (?i)^4[.]9[.]0[+]AMD64$\n',
    '4.9.3.yaml': 'to: 4.9.3\nfrom: \\A4\\.9\\.1\\+amd64\\z\n',
    '4.9.4.yaml': 'to: 4.9.4\nfrom: ^4[.]9[.]\\u{30}[+]\nurl: https://kb.example/r\nname: R\nmessage: Beware.\nmatchingRules:\n- type: Always\n',
  }));
  const db = path.join(tempTree(t), 'kus.db');
  const imported = runKus(['import', '--db', db, '--graph-data', dir]);
  t.equal(imported.status, 0, `import succeeds: ${imported.stderr}`);

  const store = openStore(db);
  const cache = new GraphCache({ load: () => store.loadGraphInput(), logger: silentLogger });
  t.ok(cache.rebuild().ok);
  const app = buildApp({ graphs: cache, logLevel: 'silent' });
  t.teardown(async () => {
    await app.close();
    store.close();
  });
  const res = await app.inject({ url: '/api/upgrades_info/v1/graph?channel=stable-4.9&arch=amd64', headers: { accept: 'application/json' } });
  t.equal(res.statusCode, 200);
  const served = JSON.parse(res.body) as { nodes: Array<{ version: string }>; edges: Array<[number, number]>; conditionalEdges: Array<{ edges: unknown[] }> };
  const name = (i: number): string => served.nodes[i]!.version;
  t.same(served.edges.map(([a, b]) => `${name(a)} -> ${name(b)}`).sort(), [
    '4.9.0 -> 4.9.1', '4.9.0 -> 4.9.3', '4.9.1 -> 4.9.2', '4.9.1 -> 4.9.4',
  ], '(?i) removed 4.9.0 -> 4.9.2, \\A…\\z removed 4.9.1 -> 4.9.3, \\u{30} made 4.9.0 -> 4.9.4 conditional');
  t.same(served.conditionalEdges.map((c) => c.edges), [[{ from: '4.9.0', to: '4.9.4' }]]);
});

t.test('patterns RE2 would read otherwise than Rust, or that Rust refuses, are refused naming the file and the reason', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['^4[.]9[.]{,1}', /a "\{" that does not start a repetition/],
    ['^4[.]9[.][0[1]]', /a "\[" inside a class opens a nested class in Rust/],
    ['\\<4[.]9', /word-boundary assertion \\< of Rust's regex has no RE2 equivalent/],
    ['(?x) 4 [.] 9', /the flag x \(verbose mode\) has no RE2 equivalent/],
    ['^4[.]9[.](?=0)', /look-around is not supported by Rust's regex/],
    ['^4[.]9[.]\\1', /back-references and octal escapes/],
    ['^4[.]9[.](0', /missing closing \)/],
  ];
  // One import per kind of problem the dialect pass finds (each import is a process); the API sees them all.
  for (const [from, reason] of cases.slice(0, 3)) {
    const dir = tempTree(t, tree({ '4.9.2.yaml': `to: 4.9.2\nfrom: '${from}'\n` }));
    const r = runKus(['import', '--db', path.join(tempTree(t), 'kus.db'), '--graph-data', dir]);
    t.equal(r.status, 1, `${from}: refused`);
    const line = r.stderr.split('\n').find((l) => l.startsWith('blocked-edges/4.9.2.yaml: '));
    t.match(line, reason, `${from}: the file and the reason`);
  }

  const a = await adminApp(t);
  for (const [from, reason] of cases) {
    const res = await a.call('POST', '/edges/blocked', { to: '4.9.0', from });
    t.equal(res.statusCode, 400, `${from}: 400 from the admin API`);
    const body = JSON.parse(res.body) as { code: string; message: string };
    t.equal(body.code, 'KUS_ERR_INVALID_REGEX');
    t.match(body.message, reason, `${from}: the reason`);
  }
  const meta = await a.call('PUT', '/raw-metadata/4.9.0', { key: 'io.openshift.upgrades.graph.previous.remove_regex', value: '(?u)4' });
  t.equal(meta.statusCode, 400, 'a previous.remove_regex in raw metadata is checked the same way');
  t.match(JSON.parse(meta.body), { code: 'KUS_ERR_INVALID_REGEX', message: /the flag u .* has no RE2 equivalent/ });
});

t.test('the memo of compiled patterns is an LRU bounded at REGEX_MEMO_LIMIT', async (t) => {
  const hot = '^hot[.]pattern$';
  const first = compileRegex(hot);
  const cold = compileRegex('^cold[.]pattern$');
  for (let i = 0; i < REGEX_MEMO_LIMIT; i++) {
    compileRegex(`^4[.]${i}[.]0[+]`);
    if (i % 512 === 0) t.equal(compileRegex(hot), first, 'a pattern in use stays compiled');
  }
  t.equal(compileRegex(hot), first, 'the recently used pattern survived more than REGEX_MEMO_LIMIT other patterns');
  t.not(compileRegex('^cold[.]pattern$'), cold, 'the least recently used one was evicted and is compiled anew');
  t.notOk(isValidRegex('a{,1}'), 'refusals are memoised too, and still refused');
  t.throws(() => compileRegex('a{,1}', 'from'), { code: 'KUS_ERR_INVALID_REGEX', message: /^from "a\{,1\}" is not usable/ });
  t.throws(() => compileRegex('a{,1}', 'the combined from'), { message: /^the combined from "a\{,1\}"/ }, 'each caller names its own field');
});
