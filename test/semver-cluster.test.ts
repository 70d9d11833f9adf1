// SemVer as the cluster parses it: KUS's verdict and order for several hundred strings against blang/semver's own,
// as printed by `cvo-probe semver --sort` (the oracle). Also measures where the `semver` npm package disagrees with
// the cluster, the reasons src/graph/semver.ts keeps its own parser.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { comparePrecedence, isStrictSemver, parseSemver, requireSemver } from '../src/graph/semver.js';
import { repoRoot, sharedDir } from './helpers/shared-fixtures.js';
import { probeBinary } from './helpers/signing.js';

const U64 = '18446744073709551615';
const U64_PLUS_1 = '18446744073709551616';
const HUGE = '99999999999999999999';
const SAFE = String(Number.MAX_SAFE_INTEGER); // 2^53 - 1
const P53 = '9007199254740992';
const P53_PLUS_1 = '9007199254740993';

/** The table: hand-picked edge cases, then cores × pre-releases × builds. Lines hold no "\n" or "\r" (the probe reads lines). */
function table(): string[] {
  const hand = [
    '', '1', '1.0', '1.0.0.0', '1..0', '.1.0', '1.0.', '-1.0.0', '+1.0.0', '1.-1.0', '1.0.-1',
    'v1.0.0', 'V1.0.0', 'v4.9.15', '=4.9.15', 'v4.9.15+amd64', '~1.0.0', '^1.0.0', 'x.1.0', '1.x.0', '1.0.x', '*',
    ' 1.0.0', '1.0.0 ', '\t1.0.0', '1.0.0\t', ' 4.9.15 ', '1 .0.0', '1. 0.0', '1.0.0 -rc', '1.0.0- rc', '1.0.0+ a', '\u00a01.0.0',
    '01.0.0', '1.01.0', '1.0.01', '00.0.0', '0.00.0', '0.0.00', '1.0.0-01', '1.0.0-00', '1.0.0-0', '1.0.0-0a', '1.0.0-00a',
    '1.0.0-01a', '1.0.0-a.01', '1.0.0+01', '1.0.0+00', '1.0.0+0.01',
    '1.0.0-', '1.0.0+', '1.0.0-+', '1.0.0-+a', '1.0.0-a+', '1.0.0-a..b', '1.0.0+a..b', '1.0.0-a.', '1.0.0+a.', '1.0.0-.a',
    '1.0.0+a+b', '1.0.0-a+b+c', '1.0.0-@', '1.0.0-a_b', '1.0.0+a_b', '1.0.0_rc', '1.0.0rc1', '1.0.0-α', '1.0.0+ß', '1.0.0--',
    '1.0.0-a-b', '1.0.0+-', '1.0.0+--a', '1.0.0-a-', '1.0.0-x.7.z.92', '1.0.0+exp.sha.5114f85', '1.0.0-rc.1+build.1',
    '１.0.0', '1.0.0-٣', '0x1.0.0', '1e3.0.0', '1.0.0-+amd64', '4.9.15+amd64', '4.9.15+arm64', '4.9.15-rc.0+s390x',
    `${U64}.${U64}.${U64}`, `${U64_PLUS_1}.0.0`, `0.${U64_PLUS_1}.0`, `0.0.${U64_PLUS_1}`, `${HUGE}.0.0`, `1.0.0-${HUGE}`,
    `1.0.0-${U64}`, `1.0.0-${U64_PLUS_1}`, `1.0.0-a.${U64_PLUS_1}`, `1.0.0-${HUGE}a`, `1.0.0+${HUGE}`, `1.0.0+${U64_PLUS_1}`,
    `${'9'.repeat(19)}.0.0`, `${'1'.repeat(21)}.0.0`, `${'9'.repeat(40)}.0.0`, `0${U64}.0.0`, `1.0.0-0${U64}`,
    `${SAFE}.0.0`, `${P53}.0.0`, `${P53_PLUS_1}.0.0`, `1.0.0-${SAFE}`, `1.0.0-${P53}`, `1.0.0-${P53_PLUS_1}`,
    `1.0.0-${'a'.repeat(300)}`, `1.0.0+${'b'.repeat(300)}`, `1.0.0-${Array.from({ length: 120 }, (_, i) => String(i)).join('.')}`,
    `1.0.0+${Array.from({ length: 120 }, (_, i) => `b${i}`).join('.')}`, `1.0.0-${'x-'.repeat(130)}y`,
    `${'1'.repeat(19)}.${'2'.repeat(19)}.${'3'.repeat(19)}-${'a'.repeat(200)}+${'c'.repeat(200)}`,
    '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1',
    '1.0.0-A', '1.0.0-a', '1.0.0-Z', '1.0.0-z', '1.0.0--a', '1.0.0-0-', '1.0.0-1.a', '1.0.0-1.1', '1.0.0-1.0', '1.0.0-2',
    '1.0.0-10', '1.0.0-9', '1.0.0-a.1.1', '1.0.0-a.1', '2.0.0', '2.0.0-0', '10.0.0', '9.0.0', '1.10.0', '1.9.0', '1.0.10', '1.0.9',
  ];
  const cores = ['0.0.0', '1.2.3', '4.9.15', '10.0.0', `${U64}.0.0`, `0.${U64}.1`, `${U64_PLUS_1}.0.0`, `${P53_PLUS_1}.0.0`, '01.2.3', 'v1.2.3'];
  const pres = ['', '-0', '-1', '-01', '-alpha', '-alpha.1', '-alpha.beta', '-rc.0', `-rc.${P53}`, `-rc.${P53_PLUS_1}`, `-${U64}`, `-${U64_PLUS_1}`, '-x-y', '-a..b'];
  const builds = ['', '+amd64', '+01', '+a.b', `+${HUGE}`, '+'];
  const product = cores.flatMap((c) => pres.flatMap((p) => builds.map((b) => `${c}${p}${b}`)));
  return [...new Set([...hand, ...product])];
}

interface Verdicts {
  valid: Map<string, boolean>;
  sorted: string[];
}

/** Runs `cvo-probe semver --sort` on the lines; its exit status is 1 whenever a line is invalid, which the table has. */
function oracle(probe: string, lines: string[]): Verdicts {
  const r = spawnSync(probe, ['semver', '--sort'], { input: `${lines.join('\n')}\n`, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0 && r.status !== 1) throw new Error(`cvo-probe semver exited ${r.status}: ${r.stderr}`);
  const out = r.stdout.split('\n');
  const valid = new Map<string, boolean>();
  // One verdict line per input line, in input order (a line may itself hold tabs, so read only the first field).
  lines.forEach((line, i) => {
    const verdict = out[i]!.slice(0, out[i]!.indexOf('\t'));
    if (verdict !== 'valid' && verdict !== 'invalid') throw new Error(`unexpected probe line ${JSON.stringify(out[i])}`);
    valid.set(line, verdict === 'valid');
  });
  if (out[lines.length] !== 'sorted') throw new Error(`no "sorted" line after the verdicts: ${JSON.stringify(out[lines.length])}`);
  const sorted = out.slice(lines.length + 1, lines.length + 1 + [...valid.values()].filter(Boolean).length);
  return { valid, sorted };
}

function probePath(): string | undefined {
  if (process.env.CVO_PROBE) return process.env.CVO_PROBE;
  const cached = path.join(repoRoot, '.cache', 'cvo-probe');
  if (existsSync(cached)) return cached;
  return existsSync(path.join(sharedDir, 'cvo-probe', 'build.sh')) ? probeBinary() : undefined;
}

const shown = (s: string): string => JSON.stringify(s.length > 60 ? `${s.slice(0, 57)}...` : s);

t.test('numbers beyond uint64 are refused, as the cluster refuses them (the issue\'s two strings)', async (t) => {
  for (const v of ['99999999999999999999.0.0', '1.0.0-99999999999999999999', `1.${U64_PLUS_1}.0`, `1.0.0-rc.${U64_PLUS_1}`]) {
    t.equal(isStrictSemver(v), false, `${v} refused`);
    t.equal(parseSemver(v), null, `${v} does not parse`);
    t.throws(() => requireSemver(v, 'version'), { code: 'KUS_ERR_INVALID_SEMVER' });
  }
  t.equal(isStrictSemver(`${U64}.${U64}.${U64}-${U64}`), true, 'uint64 max itself fits');
  t.equal(isStrictSemver(`1.0.0+${HUGE}`), true, 'build identifiers are not numbers, so no bound');
});

t.test('a version the cluster refuses but npm semver reads gets a hint, and only then', async (t) => {
  t.throws(() => requireSemver('v4.9.15', 'version'), { code: 'KUS_ERR_INVALID_SEMVER', message: /"v4\.9\.15" is not a valid SemVer 2\.0 version \(did you mean "4\.9\.15"\?\)/ });
  t.throws(() => requireSemver('4.9', 'version'), { message: /"4\.9" is not a valid SemVer 2\.0 version$/ });
});

const probe = probePath();
t.test('verdict and order agree with the cluster\'s parser (cvo-probe semver) on every line', { skip: probe ? false : `cvo-probe unavailable: set CVO_PROBE, or provide ../shared (${sharedDir})` }, async (t) => {
  const lines = table();
  t.ok(lines.length >= 200, `${lines.length} strings in the table`);
  const { valid, sorted } = oracle(probe!, lines);
  const validCount = [...valid.values()].filter(Boolean).length;
  t.ok(validCount >= 50 && lines.length - validCount >= 50, `both verdicts well represented (${validCount} valid, ${lines.length - validCount} invalid)`);

  const verdictMismatches = lines.filter((l) => isStrictSemver(l) !== valid.get(l))
    .map((l) => `${shown(l)}: cluster ${valid.get(l) ? 'accepts' : 'refuses'}, KUS ${isStrictSemver(l) ? 'accepts' : 'refuses'}`);
  t.same(verdictMismatches, [], 'KUS accepts exactly what the cluster accepts');

  // blang sorts stably by precedence (build ignored); so must KUS's comparator, from the same input order.
  const ours = lines.filter((l) => isStrictSemver(l)).sort((a, b) => comparePrecedence(parseSemver(a)!, parseSemver(b)!));
  const firstDiff = ours.findIndex((l, i) => l !== sorted[i]);
  t.equal(firstDiff, -1, firstDiff < 0 ? `same order for all ${sorted.length} valid lines` :
    `order differs at ${firstDiff}: KUS ${shown(ours[firstDiff]!)}, cluster ${shown(sorted[firstDiff] ?? '')}`);
  t.equal(ours.length, sorted.length);

  // The measurement behind keeping KUS's own parser (docs/graph-data.md, "Versions"): where npm semver parts ways.
  const npmValid = (l: string): boolean => semver.valid(l) !== null;
  const differs = lines.filter((l) => npmValid(l) !== valid.get(l));
  t.comment(`npm semver disagrees with the cluster on ${differs.length} of ${lines.length} lines`);
  t.ok(npmValid('v4.9.15') && !valid.get('v4.9.15'), 'npm semver accepts v4.9.15; the cluster does not');
  t.ok(npmValid(' 4.9.15 ') && !valid.get(' 4.9.15 '), 'npm semver accepts surrounding whitespace; the cluster does not');
  t.ok(!npmValid(`${P53_PLUS_1}.0.0`) && valid.get(`${P53_PLUS_1}.0.0`), 'npm semver refuses numbers above 2^53; the cluster takes them');
  const long = lines.find((l) => l.length > 256 && valid.get(l))!;
  t.ok(long && !npmValid(long), 'npm semver refuses strings over 256 characters; the cluster takes them');
  t.equal(semver.valid('4.9.15+amd64'), '4.9.15', 'npm semver\'s canonical form drops +arch');
  const a = `1.0.0-${P53}`;
  const b = `1.0.0-${P53_PLUS_1}`;
  t.ok(sorted.indexOf(a) < sorted.indexOf(b) && semver.compare(a, b) === 0, 'npm semver orders numeric identifiers above 2^53 as rounded doubles');
});
