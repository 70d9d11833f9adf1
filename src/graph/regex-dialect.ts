// Rust's `regex` crate and RE2 share one syntax with a few differences. This pass rewrites the Rust spellings RE2
// lacks and refuses what the two would read differently, so that a pattern either means in KUS what it means
// upstream or is refused with the reason. Each rule was checked against the Rust crate itself (see
// test/regex-dialect.test.ts); no library does this translation, hence the hand-written scanner.

export type Translation = { pattern: string; problem?: undefined } | { pattern?: undefined; problem: string };

const WS = '[ \\t\\n\\v\\f\\r]*';
/** `{n}`, `{n,}`, `{n,m}`, with the blanks Rust allows inside (RE2 would read a blank as a literal brace). */
const COUNTED = new RegExp(`\\{${WS}(\\d+)${WS}(?:(,)(?:${WS}(\\d+)${WS})?)?\\}`, 'y');
/** Flag groups `(?flags)` and `(?flags:`, and `(?:`. */
const FLAGS = /\(\?([A-Za-z-]*)([:)])/y;
const GROUP_NAME = /\(\?P?<([^>]*)>/y;
const POSIX_CLASS = /\[:\^?[A-Za-z]+:\]/y;
const HEX_BRACED = /\\[uUx]\{([0-9A-Fa-f]+)\}/y;
const HEX_FIXED = /\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))/y;
const CLASS_ESCAPES = 'dDwWsSpP';

const RUST_ONLY_FLAGS: Record<string, string> = {
  u: 'the flag u (Unicode mode, on by default in Rust) has no RE2 equivalent; leave it out',
  x: 'the flag x (verbose mode) has no RE2 equivalent; write the pattern without blanks and comments',
  R: 'the flag R (CRLF mode) has no RE2 equivalent',
};

const stickyMatch = (re: RegExp, text: string, at: number): RegExpExecArray | null => {
  re.lastIndex = at;
  return re.exec(text);
};

const noLeadingZeros = (digits: string): string => digits.replace(/^0+(?=\d)/, '');

function scalarProblem(hex: string): string | null {
  const digits = noLeadingZeros(hex);
  const cp = digits.length > 6 ? Infinity : parseInt(digits, 16);
  return cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? `\\x{${hex}} is not a Unicode scalar value` : null;
}

/** One escape sequence at `at` (which holds the backslash): its RE2 spelling and length, or the problem. */
function escape(source: string, at: number, inClass: boolean): { text: string; length: number } | { problem: string } {
  const next = source[at + 1];
  if (next === undefined) return { text: '\\', length: 1 };
  if (next >= '0' && next <= '9') return { problem: `back-references and octal escapes (\\${next}) are not supported by Rust's regex` };
  if (next === 'Q' || next === 'E') return { problem: '\\Q…\\E quoting is not Rust syntax; escape each special character instead' };
  if (!inClass && (next === '<' || next === '>')) return { problem: `the word-boundary assertion \\${next} of Rust's regex has no RE2 equivalent` };
  if (!inClass && (next === 'b' || next === 'B') && source[at + 2] === '{') {
    return { problem: 'the word-boundary assertions \\b{start}, \\b{end}, … of Rust\'s regex have no RE2 equivalent' };
  }
  if ((next === 'p' || next === 'P') && source.startsWith('{^', at + 2)) return { problem: `\\${next}{^…} is not Rust syntax; write \\${next === 'p' ? 'P' : 'p'}{…}` };
  if (next === 'u' || next === 'U' || next === 'x') {
    const m = stickyMatch(HEX_BRACED, source, at) ?? stickyMatch(HEX_FIXED, source, at);
    const hex = m?.[1] ?? m?.[2];
    if (m && hex !== undefined) {
      const problem = scalarProblem(hex);
      if (problem) return { problem };
      // Rust's \u and \U spell a code point like \x{…}, the only spelling RE2 has.
      return { text: `\\x{${noLeadingZeros(hex)}}`, length: m[0].length };
    }
  }
  // A braced argument (\p{Greek}, a malformed \x{…}) is one item: RE2 judges what is inside the braces.
  if ('pPx'.includes(next) && source[at + 2] === '{') {
    const end = source.indexOf('}', at + 3);
    if (end > 0) return { text: source.slice(at, end + 1), length: end + 1 - at };
  }
  if ((next === 'p' || next === 'P') && source[at + 2] !== undefined) return { text: source.slice(at, at + 3), length: 3 };
  return { text: `\\${next}`, length: 2 };
}

/** Rewrites a pattern in Rust's dialect into RE2's, or says why it cannot be used. */
export function rustToRe2(source: string): Translation {
  let out = '';
  let i = 0;
  let classStart = -1; // index of the first item of the open class, -1 outside a class
  let afterClassEscape = false; // the previous class item was \d, \p{…}, …: Rust refuses it as a range bound
  while (i < source.length) {
    const c = source[i]!;
    const inClass = classStart >= 0;
    if (c === '\\') {
      const e = escape(source, i, inClass);
      if ('problem' in e) return { problem: e.problem };
      out += e.text;
      i += e.length;
      afterClassEscape = inClass && CLASS_ESCAPES.includes(source[i - e.length + 1] ?? '');
      continue;
    }
    if (inClass) {
      if (c === ']' && i !== classStart) {
        classStart = -1;
      } else if (c === '[') {
        const posix = stickyMatch(POSIX_CLASS, source, i);
        if (!posix) return { problem: 'a "[" inside a class opens a nested class in Rust but is a literal in RE2; write \\[ for the character' };
        out += posix[0];
        i += posix[0].length;
        afterClassEscape = false;
        continue;
      } else if ((c === '&' || c === '~' || c === '-') && source[i + 1] === c) {
        return { problem: `"${c}${c}" inside a class is a set operation in Rust but literal characters in RE2; escape them (\\${c}) or rewrite the class` };
      } else if (c === '-' && afterClassEscape && source[i + 1] !== ']') {
        return { problem: 'a class like \\d or \\p{…} cannot bound a range in Rust; write \\- for a literal hyphen' };
      }
      out += c;
      i += 1;
      afterClassEscape = false;
      continue;
    }
    if (c === '[') {
      const negated = source[i + 1] === '^';
      out += negated ? '[^' : '[';
      i += negated ? 2 : 1;
      classStart = i;
      afterClassEscape = false;
      continue;
    }
    if (c === '{') {
      const m = stickyMatch(COUNTED, source, i);
      if (!m) return { problem: 'a "{" that does not start a repetition {n}, {n,} or {n,m} is an error in Rust but a literal in RE2; write \\{ for the character' };
      out += `{${noLeadingZeros(m[1]!)}${m[2] ?? ''}${m[3] === undefined ? '' : noLeadingZeros(m[3])}}`;
      i += m[0].length;
      continue;
    }
    if (c === '(' && source[i + 1] === '?') {
      const problem = groupProblem(source, i);
      if (problem) return { problem };
    }
    out += c;
    i += 1;
  }
  return { pattern: out };
}

/** What Rust refuses (or reads otherwise) in a `(?…` group opening at `at`; RE2's own parser reports the rest. */
function groupProblem(source: string, at: number): string | null {
  const third = source[at + 2];
  if (third === '=' || third === '!' || source.startsWith('<=', at + 2) || source.startsWith('<!', at + 2)) {
    return 'look-around is not supported by Rust\'s regex';
  }
  const named = stickyMatch(GROUP_NAME, source, at);
  if (named) return /^[0-9]/.test(named[1]!) ? `the group name "${named[1]}" must start with a letter or "_"` : null;
  const flags = stickyMatch(FLAGS, source, at);
  if (!flags) return null;
  const letters = flags[1]!;
  if (letters === '' && flags[2] === ')') return 'an empty flag group (?) is an error in Rust';
  const seen = new Set<string>();
  for (const letter of letters.replace(/-/g, '')) {
    if (RUST_ONLY_FLAGS[letter]) return RUST_ONLY_FLAGS[letter];
    if (seen.has(letter)) return `the flag ${letter} is given twice in ${JSON.stringify(flags[0])}, an error in Rust`;
    seen.add(letter);
  }
  return null;
}
