// Rust-regex patterns from graph-data, run as JavaScript RegExp with search semantics; patterns whose meaning
// would differ between the two engines are refused instead of being silently interpreted differently.
import { KusError, quote } from '../errors/index.js';

const INLINE_FLAGS = /^\(\?([imsU]+)\)/;

/** Constructs JavaScript has and Rust regex lacks (or spells differently). */
const UNSUPPORTED: Array<[RegExp, string]> = [
  [/\(\?<?[=!]/, 'look-around is not supported by Rust regex'],
  [/\\[1-9]/, 'back-references are not supported by Rust regex'],
  [/\\k</, 'named back-references are not supported by Rust regex'],
  [/\(\?[imsUux-]+[:)]/, 'inline flags are only supported at the start of the pattern'],
  [/\\[AzpP]/, 'the anchors \\A and \\z and Unicode classes \\p are spelled differently in JavaScript'],
  [/\[\[:/, 'POSIX character classes are not supported by JavaScript'],
];

/** Memo of compiled patterns (graph-data has a few hundred); bounded so that arbitrary input cannot grow it. */
const cache = new Map<string, RegExp | KusError>();
const CACHE_LIMIT = 4096;

function translate(source: string): RegExp {
  let body = source;
  let flags = '';
  const m = INLINE_FLAGS.exec(body);
  if (m) {
    const rustFlags = m[1]!;
    if (rustFlags.includes('U')) throw new Error('the swap-greed flag (?U) has no JavaScript equivalent');
    flags = [...new Set(rustFlags)].join('');
    body = body.slice(m[0].length);
  }
  for (const [re, why] of UNSUPPORTED) {
    if (re.test(body)) throw new Error(why);
  }
  // Rust spells named groups (?P<name>…); JavaScript (?<name>…).
  body = body.replace(/\(\?P</g, '(?<');
  return new RegExp(body, flags);
}

/** Compile a graph-data regex; throws KUS_ERR_INVALID_REGEX with the reason. Results are memoised. */
export function compileRegex(source: string, what = 'regular expression'): RegExp {
  let hit = cache.get(source);
  if (hit === undefined) {
    try {
      hit = translate(source);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      hit = new KusError('KUS_ERR_INVALID_REGEX', `${what} ${quote(source)} is not usable: ${reason}`, { value: source });
    }
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(source, hit);
  }
  if (hit instanceof KusError) throw hit;
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
