// SemVer parsing and ordering, the Rust-regex subset, request parameters and value checks.
import t from 'tap';
import {
  compareVersionText, compileRegex, formatSemver, isStrictSemver, isValidRegex, parseGraphQuery, parseSemver,
  payloadDigest, regexSearch, riskProblem, channelNameProblem,
} from '../src/graph/index.js';

t.test('strict SemVer 2.0', async (t) => {
  for (const ok of ['4.9.15', '4.0.0-5', '4.2.13-s390x+s390x', '4.0.0-0.nightly-2019-01-15-010905+amd64', '1.0.0-rc.1.x-y']) {
    t.ok(isStrictSemver(ok), ok);
    t.equal(formatSemver(parseSemver(ok)!), ok, `${ok} round-trips`);
  }
  for (const bad of ['4.9', 'v4.9.0', '04.9.0', '4.9.0-01', '4.9.0-', '4.9.0+', '4-0-0+0.1', '4.9.0-a..b', '']) t.notOk(isStrictSemver(bad), bad);
  t.same(parseSemver(' 1.1.0\n'), { major: '1', minor: '1', patch: '0', pre: [], build: [] }, 'surrounding whitespace is ignored when parsing');
  t.notOk(isStrictSemver(' 1.1.0'), 'but not by the strict check a cluster applies');
});

t.test('SemVer precedence', async (t) => {
  const sorted = ['4.10.0', '4.9.0', '4.9.0-rc.10', '4.9.0-rc.2', '4.9.0-rc.6', '4.9.0-alpha', '4.9.0-1'].sort(compareVersionText);
  t.same(sorted, ['4.9.0-1', '4.9.0-alpha', '4.9.0-rc.2', '4.9.0-rc.6', '4.9.0-rc.10', '4.9.0', '4.10.0']);
});

t.test('regexes: search semantics, Rust features mapped, divergent features refused', async (t) => {
  t.ok(regexSearch('4\\.1\\.20', '4.1.200+amd64'), 'unanchored');
  t.ok(regexSearch('4\\.1\\.20', '14.1.20+amd64'));
  t.notOk(regexSearch('^4\\.1\\.20$', '4.1.20+amd64'), 'a $ after the version never matches a +arch node');
  t.ok(regexSearch('(?i)^KYLIN', 'kylin-1'), 'leading inline flags');
  t.ok(regexSearch('(?:a|b)c', 'bc'), 'non-capturing groups');
  t.ok(regexSearch('(?P<x>4)[.]9', '4.9.0'), 'Rust named groups');
  t.ok(regexSearch('a(?i)b', 'aB'), 'inline flags anywhere, as in Rust');
  t.ok(regexSearch('\\p{L}+[.]', 'rc.1'), 'Unicode classes');
  t.ok(regexSearch('\\A4\\.9\\.0[+]amd64\\z', '4.9.0+amd64'), '\\A and \\z');
  for (const bad of ['(?=x)', '(?<!x)y', '(a)\\1', '(', 'a{,2}', '[a[b]]', '\\<a']) t.notOk(isValidRegex(bad), bad);
  t.throws(() => compileRegex('(?<=4)', 'from'), { code: 'KUS_ERR_INVALID_REGEX', message: /from "\(\?<=4\)" is not usable: look-around/ });
});

t.test('graph query parameters as upstream reads them', async (t) => {
  t.same(parseGraphQuery('channel=stable-4.9'), { channel: 'stable-4.9', arch: 'amd64' });
  t.same(parseGraphQuery('channel=a-1&channel=stable-4.9&arch=arm64&version=4.9.0&id=x&extra'), { channel: 'stable-4.9', arch: 'arm64' });
  t.throws(() => parseGraphQuery('arch=amd64'), { kind: 'missing_params', message: 'mandatory client parameters missing: channel' });
  t.throws(() => parseGraphQuery('channel'), { kind: 'invalid_params', message: "invalid client parameters: channel '' does not match regex '^[0-9a-z\\-\\.]+$'" });
  t.throws(() => parseGraphQuery('channel=Stable+4'), { kind: 'invalid_params', message: /channel 'Stable 4'/ });
  t.throws(() => parseGraphQuery('channel=stable-4.9&arch='), { kind: 'invalid_params', message: "invalid client parameters: arch '' does not match regex '^[0-9a-z]+$'" });
});

t.test('values that reach clusters', async (t) => {
  t.equal(payloadDigest(`quay.io/a/b@sha256:${'a'.repeat(64)}`), `sha256:${'a'.repeat(64)}`);
  t.equal(payloadDigest('quay.io/a/b:4.9.15'), null, 'a tag is not a digest');
  t.equal(channelNameProblem('stable-4.9'), null);
  t.match(channelNameProblem('stable'), /no "-"/);
  t.match(channelNameProblem('Stable-4.9'), /does not match/);
  const risk = { url: 'https://x.example/kb', name: 'R', message: 'm', matchingRules: [{ type: 'PromQL', promql: { promql: 'up' } }] };
  t.equal(riskProblem(risk), null);
  t.match(riskProblem({ ...risk, url: '' }), /url/);
  t.match(riskProblem({ ...risk, matchingRules: [{ type: 'PromQL', promql: { promql: ' ' } }] }), /non-empty promql/);
  t.match(riskProblem({ ...risk, matchingRules: [{ type: 'Sometimes' }] }), /"Sometimes"/);
  t.match(riskProblem({ ...risk, matchingRules: [] }), /at least one/);
});
