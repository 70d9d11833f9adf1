// Per-match and per-compile cost of graph-data regexes: KUS's engine (re2js behind compileRegex) against the
// backtracking RegExp it replaced, on upstream-shaped `from` patterns over a 4-arch release list. Run after a build:
// `npm run bench:regex`. Prints one JSON object.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { compileRegex } = await import(pathToFileURL(path.join(repoRoot, 'dist', 'graph', 'regex.js')).href);
const { RE2JS } = await import('re2js');

const ARCHES = ['amd64', 'arm64', 's390x', 'ppc64le'];
const versions = [];
for (let minor = 1; minor <= 20; minor++) {
  for (let rc = 0; rc < 4; rc++) for (const arch of ARCHES) versions.push(`4.${minor}.0-rc.${rc}+${arch}`);
  for (let z = 0; z < 40; z++) for (const arch of ARCHES) versions.push(`4.${minor}.${z}+${arch}`);
}
/** As upstream writes them: anchored alternations of z-streams with an arch absorber, prefix searches, `.*`. */
const patterns = (salt) => {
  const out = [];
  for (let minor = 1; minor <= 20; minor++) {
    for (let z = 3; z < 40; z += 2) out.push(`^4[.]${minor}[.](${z - 2}|${z - 1}|${z})[+].*$${salt}`, `4\\.${minor}\\.${z}${salt}`);
  }
  return out;
};

function measure(compile, salt) {
  const sources = patterns(salt);
  const t0 = performance.now();
  const compiled = sources.map(compile);
  const compileMs = performance.now() - t0;
  let hits = 0;
  let matches = 0;
  const t1 = performance.now();
  for (let round = 0; round < 3; round++) {
    for (const re of compiled) for (const v of versions) if (re.test(v)) hits += 1;
    matches += compiled.length * versions.length;
  }
  const matchMs = performance.now() - t1;
  return { patterns: sources.length, compileUsPerPattern: +((compileMs * 1000) / sources.length).toFixed(1), nsPerMatch: +((matchMs * 1e6) / matches).toFixed(0), hits };
}

// kus: compileRegex (these shapes take its literal fast path); re2js: the RE2 engine it uses for every other pattern.
const engines = { regexp: (s) => new RegExp(s), kus: (s) => compileRegex(s), re2js: (s) => RE2JS.compile(s) };
const result = { versions: versions.length };
// Warm both engines (JIT, lazy DFA states) on a pattern set of their own, then measure on fresh patterns.
for (const compile of Object.values(engines)) measure(compile, '|warmup');
for (const [name, compile] of Object.entries(engines)) result[name] = measure(compile, '');

const evilText = `4.9.15-${'a'.repeat(20)}+amd64`;
const t0 = performance.now();
compileRegex('^4[.]9[.]15-(a+)+$').test(evilText);
result.catastrophicKusMs = +(performance.now() - t0).toFixed(2);
const t1 = performance.now();
/^4[.]9[.]15-(a+)+$/.test(evilText);
result.catastrophicRegExpMs = +(performance.now() - t1).toFixed(2);
result.note = 'catastrophic: 20 a\'s (RegExp doubles per extra a; the issue measured 4–17 s at 30)';
console.log(JSON.stringify(result, null, 2));
