// KUS reads graph-data regexes as Rust's `regex` crate does: checked against the crate itself (rregex is that crate,
// regex 1.13, built to WebAssembly). A pattern KUS accepts must be accepted by Rust and match the same versions; a
// pattern KUS refuses is refused by Rust too, or is one of the documented Rust-only constructs.
import { RRegex } from 'rregex';
import t from 'tap';
import { compileRegex, type RustRegex } from '../src/graph/index.js';
import { literalMatcher } from '../src/graph/regex-literal.js';

/** Accepted by both; Rust's spelling is rewritten for RE2 where RE2 spells it otherwise. */
const BOTH = [
  '^4[.]9[.](0|1|2)[+].*$', '4\\.1\\.20', '^4\\.1\\.(18|20)[+].*$', '.*', '4\\.6\\..*|4\\.6\\..*|.*', '', 'a|', '()', '(?:)',
  '(?i)^KYLIN', '(?i)^4[.]9[.]0-RC[.]1[+]AMD64$', 'rc(?i)[.]1[+]AMD', '(?i:RC)[.]', '(?i)(?-i:rc)', '(?s).', '(?m)^4', '(?U)4.*',
  '\\A4\\.9', '15\\+amd64\\z', '\\A\\z', '(?P<minor>9)[.]', '(?<minor>9)[.]', '(?P<_x>9)',
  '\\u0034[.]9', '\\u{34}[.]9', '\\U00000034[.]9', '\\U{34}', '[\\u0030-\\u0039]+[+]', '\\x34', '\\x{34}',
  '^4[.]9[.]1{ 2 }', '^4[.]9[.]1{2, 3}', '^4[.]9[.]1{02}', '^4[.]9[.]1{1,}', '1{0}', '^4[.]9[.]1{ 1 ,}',
  '\\d+[.]\\d+', '\\w+-rc', '\\brc\\b', '\\Brc', '[[:digit:]]+[+][[:alpha:]]+', '[[:^digit:]]', '[[:alpha:]-z]', '\\pL', '\\p{L}', '\\p{Greek}', '\\PN',
  '[]a]', '[^]a]', '[a-]', '[-a]', '[a&b]', '[a~b]', '[\\[:alpha:]]', '[\\&\\&]', '[a-b-c]', 'a}', ']', '[a]]', '^*', '\\-', '\\%', '\\`',
  '(a|b)+?', '.*?', '^4[.]9[.]15-(a+)+$', '(x+x+)+y',
  // Shapes of the literal fast path, and near misses that must leave it.
  '^4[.]1[.]20$', '20[+]amd64$', '^$', '$', '^', '(|4)[.]9', '^4[.]9[.](0|1)[+]|^4[.]8[.]', '[-]rc', '\\-rc[.]1[+]', '^4\\.9\\.(?:0|11)\\+.*$',
  '4[.]9[.]0.*$', '.*$', '^.*$', '^.*', '(4|14)[.](1|9)[.](0|20)[+].*$', '^4[.]9[.]1*', '^4[.]9[.](0|1)*', '^4[.]9[.].*?$', '^4[.]9[.]0[+].$',
  '^4[.]12[.](3|4|5)([+].*)?$', '4[.]12[.]3([+].*)?$', '^4[.]12[.]3(-rc[.]1)?[+]amd64$', '^4[.]12[.](3.*|4)?$', '^4[.]12[.](3.*)?x', '^4[.]12[.](3)??$',
  '^4[.]12[.](3)?(.*)$', '^4[.]12[.](3.*)(4)', '^4[.]12[.](3|4)([+].*)?$|^4[.]9[.]0$', '^4[.]12[.](3.*)?.*$', '4[.]12[.](3)?', '(?:[+].*)?$',
  '^4[.](9[.].*|10[.](47|48)[+].*)$', '^4[.](12[.].*|13[.]([0-9]|1[0-2])[+].*)$', '^4[.]9[.][0-9a-c]$', '^4[.]9[.][1-1][1]', '^4[.]9[.][0-9]+',
  '^4[.]9[.]([0-9]|(1|2)[0-9])[+]', '^4[.](9[.].*)(1)', '^4[.](9$|1)', '^(^4)', '[A-Z][a-z]', '(a|b)?(c|d)?$', '[0-a]',
  'a^b', '$a', '^^4', '^4[.]9[.]0$$', '(4)(9)', '4[.]9|', '|4[.]9', '^(4[.]9)[.]0[+]', 'RC[.]1', 'amd64$|arm64$',
];

/** Refused by Rust, so refused by KUS (several of these RE2 alone would accept, some with another meaning). */
const NEITHER = [
  '[Z-A]', '(', 'a)', '\\', '[]', '[z-a]', 'a{2,1}', '(?=x)', '(?!x)', '(?<=x)', '(?<!x)', '(a)\\1', '\\k<n>', '(?P=n)', '(?#c)', '(?>a)', '\\Z', '\\e', '\\C',
  'a{,3}', 'a{', 'a{x}', 'a{ 2, }', 'a{1,2}{', '{2}', '\\Qa.b\\E', '\\12', '\\0', '\\123', '[[]', '(?P<1a>a)', '(?)', '(?)a', '(?ii)', '(?i-i)', '(?s-s)',
  '(?--i)', '(?i-)', '[\\pL-z]', '[\\d-z]', '[a-\\d]', '\\p{^Greek}', '\\P{^L}', '\\x{D800}', '\\u{110000}', '[\\b]', '(?P<n>a)(?P<n>b)', '\\pX', '\\x{}',
];

/** Accepted by Rust, refused by KUS with a reason: RE2 lacks them, or would read them otherwise. */
const RUST_ONLY: Array<[string, RegExp]> = [
  ['\\<4', /\\< of Rust's regex has no RE2 equivalent/], ['9\\>', /\\> of Rust's regex/], ['\\b{start}4', /\\b\{start\}/], ['4\\b{end}', /\\b\{start\}/],
  ['[a[bc]]', /nested class/], ['[[:alpha]]', /nested class/], ['[[=a=]]', /nested class/], ['[[.a.]]', /nested class/], ['[[:foo:]]', /invalid character class range/],
  ['[a&&b]', /"&&" inside a class is a set operation/], ['[a-z&&[^aeiou]]', /"&&"/], ['[a--b]', /"--"/], ['[a~~b]', /"~~"/], ['[&&]', /"&&"/], ['[~~]', /"~~"/], ['[--]', /"--"/],
  ['(?x) 4 ', /flag x/], ['(?u)4', /flag u/], ['(?-u)4', /flag u/], ['(?-u:\\b)4', /flag u/], ['(?R)4', /flag R/],
  ['a**', /nested repetition/], ['a*+', /nested repetition/], ['a{2}{3}', /nested repetition/], ['x{2}+', /nested repetition/], ['a{1001}', /invalid repeat count/],
  ['(?P<a.b>x)', /invalid named capture/], ['(?P<é>x)', /invalid named capture/], ['(?P<a[0]>x)', /invalid named capture/],
  ['\\p{greek}', /invalid character class range/], ['\\p{Letter}', /invalid character class range/], ['\\p{gc=L}', /invalid character class range/],
  ['\\p{ L }', /invalid character class range/], ['\\p{ASCII}', /invalid character class range/], ['\\p{Zyyy}', /invalid character class range/],
];

/** What graph-data regexes are searched in: node versions, always SemVer with +arch. */
const VERSIONS = [
  '4.9.0+amd64', '4.9.0-rc.1+amd64', '4.9.0-RC.1+arm64', '4.9.1+s390x', '4.9.11+ppc64le', '4.9.12+multi', '4.1.20+amd64', '4.1.200+amd64',
  '14.1.20+amd64', '4.6.3+amd64', '4.9.15-aaaaaaaaaaaaaaaaaaaaaa+amd64', '4.9.111+amd64', 'kylin-1+amd64', 'KYLIN-1+amd64', '9.4.0+x',
  '4.10.47+amd64', '4.10.470+amd64', '4.13.12+arm64', '4.13.13+arm64', '4.9.c', '4.9.11', '4.9.0-rc.1', 'Za', 'ac', 'bd', 'Z', '0', 'a',
  '4.12.3', '4.12.3+amd64', '4.12.30+amd64', '4.12.3-rc.1+amd64', '4.12.4', '4.12.5+x\n', '4.12.3x', '4.12.34', '4.12.', '4.12.3+',
];
/** Plus odd ASCII text, to catch a construct read as a literal by one engine and as an operator by the other. */
const ODD = ['\n', '4.9.0+amd64\nx', 'x\n4.9.0+amd64', '4.9.0\n', '', 'a', 'aa', 'b', 'z', 'x', 'y', 'xxy', '-', ':', '&', '~', '[', ']', '{', '}', '1{ 2 }', '1{2, 3}', '1{02}', 'a}', '%', '`', '.', '_', '4', 'rc', 'RC'];

function rust(source: string): RRegex | Error {
  try {
    return new RRegex(source);
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

function kus(source: string): RustRegex | Error {
  try {
    return compileRegex(source, 'from');
  } catch (err) {
    return err as Error;
  }
}

t.test('patterns both accept match the same versions in KUS as in Rust', async (t) => {
  for (const source of BOTH) {
    const r = rust(source);
    const k = kus(source);
    if (r instanceof Error || k instanceof Error) {
      t.fail(`${JSON.stringify(source)}: Rust ${r instanceof Error ? 'refuses' : 'accepts'}, KUS ${k instanceof Error ? `refuses (${k.message})` : 'accepts'}`);
      continue;
    }
    const differ = [...VERSIONS, ...ODD].filter((text) => r.isMatch(text) !== k.test(text));
    t.same(differ, [], `${JSON.stringify(source)}: same verdict on every text`);
    r.free();
  }
});

t.test('the literal fast path takes upstream\'s shapes and agrees with Rust wherever it answers', async (t) => {
  for (const shape of ['^4[.]9[.](0|1|2)[+].*$', '4\\.1\\.20', '.*', '4\\.6\\..*|4\\.6\\..*|.*', '^4\\.1\\.(18|20)[+].*$|^4[.]2[.]0-rc[.]1[+]',
    '^4[.]12[.](3|4|5)([+].*)?$', '^4[.]12[.](3|4)([+].*)?$|^4[.]9[.]0$',
    '^4[.](9[.].*|10[.](47|48)[+].*)$', '^4[.](12[.].*|13[.]([0-9]|1[0-2])[+].*)$']) {
    t.ok(literalMatcher(shape), `${JSON.stringify(shape)} takes the fast path`);
  }
  const deep = `${'('.repeat(17)}4${')'.repeat(17)}`;
  t.ok(literalMatcher(`${'('.repeat(16)}4${')'.repeat(16)}`), '16 nested groups take the fast path');
  t.equal(literalMatcher(deep), null, '17 nested groups go to RE2');
  t.ok(compileRegex(deep).test('4.9.0'), 'and match there');
  t.equal(literalMatcher('('.repeat(100_000)), null, 'a pattern of 100,000 open groups is left to RE2 without exhausting the stack');
  for (const other of ['^4[.]9[.]1*', '(?i)^4', '^4[.]9[.]\\d', 'a^b', '^4[.]9[.](0|1)*', '^4[.]9[.].*?$', '^4[.]12[.](3.*)?x', '^4[.]12[.](3)??$', '^4[.]9[.][0-9]+', '^4[.](9$|1)', '[0-a]']) t.equal(literalMatcher(other), null, `${JSON.stringify(other)} goes to RE2`);
  let answered = 0;
  for (const source of BOTH) {
    const fast = literalMatcher(source);
    if (!fast) continue;
    answered += 1;
    const r = new RRegex(source);
    t.same([...VERSIONS, ...ODD].filter((text) => r.isMatch(text) !== fast.test(text)), [], `${JSON.stringify(source)}: the fast path agrees with Rust`);
    r.free();
  }
  t.ok(answered >= 20, `the fast path answered ${answered} of the patterns`);
});

t.test('patterns Rust refuses are refused by KUS, with a coded error', async (t) => {
  for (const source of NEITHER) {
    t.ok(rust(source) instanceof Error, `${JSON.stringify(source)}: Rust refuses`);
    t.throws(() => compileRegex(source, 'from'), { code: 'KUS_ERR_INVALID_REGEX', message: /^from ".*" is not usable: / }, `${JSON.stringify(source)}: KUS refuses`);
  }
});

t.test('the Rust-only constructs KUS refuses are the documented ones, each with its reason', async (t) => {
  for (const [source, reason] of RUST_ONLY) {
    const r = rust(source);
    t.notOk(r instanceof Error, `${JSON.stringify(source)}: Rust accepts`);
    if (!(r instanceof Error)) r.free();
    t.throws(() => compileRegex(source, 'from'), { code: 'KUS_ERR_INVALID_REGEX', message: reason }, `${JSON.stringify(source)}: KUS refuses, saying why`);
  }
});
