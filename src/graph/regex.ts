// Graph-data regexes are Rust `regex` syntax, searched (not anchored) in version strings. Alternations of literal
// versions (most of them) are answered with string comparisons (regex-literal.ts); the rest run on re2js, a
// linear-time RE2 engine, after regex-dialect.ts has mapped Rust's spellings onto RE2's. A backtracking RegExp
// let one crafted pattern stall every graph build for seconds (docs/graph-data.md, "Regular expressions").
import { RE2JS } from 're2js';
import { LruMap } from 'toad-cache';
import { KusError, quote } from '../errors/index.js';
import { rustToRe2 } from './regex-dialect.js';
import { literalMatcher } from './regex-literal.js';
import type { RustRegex } from './rust-regex.js';


/**
 * Compiled patterns (or the reason for refusing them) by source. A build uses every blocked-edge `from` and every combined
 * previous.remove_regex, a few thousand at OpenShift's scale; each compiled pattern holds about 8–13 KiB, so the
 * bound caps the memo near 50 MiB while a build's working set still fits (an LRU thrashes on a cyclic scan
 * larger than itself, and each miss costs a compile of 35–250 µs).
 */
export const REGEX_MEMO_LIMIT = 4096;
const memo = new LruMap<RustRegex | string>(REGEX_MEMO_LIMIT);

function compile(source: string): RustRegex {
  const literal = literalMatcher(source);
  if (literal) return literal;
  const translated = rustToRe2(source);
  if (translated.problem !== undefined) throw new Error(translated.problem);
  try {
    return RE2JS.compile(translated.pattern);
  } catch (err) {
    // RE2's messages read "error parsing regexp: <what>: `<where>`".
    throw new Error(String((err as Error).message).replace(/^error parsing regexp: /, ''), { cause: err });
  }
}

/** Compile a graph-data regex; throws KUS_ERR_INVALID_REGEX with the reason. Results are memoised. */
export function compileRegex(source: string, what = 'regular expression'): RustRegex {
  let hit = memo.get(source);
  if (hit === undefined) {
    try {
      hit = compile(source);
    } catch (err) {
      hit = err instanceof Error ? err.message : String(err);
    }
    memo.set(source, hit);
  }
  if (typeof hit === 'string') throw new KusError('KUS_ERR_INVALID_REGEX', `${what} ${quote(source)} is not usable: ${hit}`, { value: source });
  return hit;
}

export function isValidRegex(source: string): boolean {
  try {
    compileRegex(source);
    return true;
  } catch {
    return false;
  }
}

/** Search semantics: a match anywhere in the text, no implicit anchors. */
export function regexSearch(source: string, text: string): boolean {
  return compileRegex(source).test(text);
}
