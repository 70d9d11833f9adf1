// Most graph-data regexes are alternations of literal versions, e.g. `^4[.]9[.](0|1|2)[+].*$` or several such joined
// by `|`. Those are answered with string comparisons: compiling each into an RE2 program costs 25–500 µs and ~10 KiB,
// times thousands per build. Only a small grammar qualifies, whose Rust meaning is exact string logic (`^` = start
// of text, `$` = end of text, `.` = any character but \n, no flags); anything else returns null and goes to RE2.
import type { RustRegex } from './rust-regex.js';

/** One expanded alternative: `^`? literal (`.*`)? `$`?. */
interface Alternative {
  start: boolean;
  literal: string;
  dotStar: boolean;
  end: boolean;
}

/** Bound on the alternatives a pattern expands to (a group multiplies them). */
const MAX_ALTERNATIVES = 256;
const PLAIN = /[A-Za-z0-9_-]/;
/** `\.`, `[.]` and the like: one literal character. */
const ESCAPED = /\\([.+-])|\[([.+-])\]/y;

const isQuantifier = (c: string | undefined): boolean => c === '*' || c === '+' || c === '?' || c === '{';

/** Reads literal characters from `at`; returns them and where they stop. */
function readLiteral(source: string, at: number): { text: string; next: number } {
  let text = '';
  let i = at;
  for (;;) {
    const c = source[i];
    if (c !== undefined && PLAIN.test(c)) {
      text += c;
      i += 1;
      continue;
    }
    ESCAPED.lastIndex = i;
    const m = ESCAPED.exec(source);
    if (!m) break;
    text += m[1] ?? m[2];
    i += m[0].length;
  }
  // A quantifier applies to the last character only: not a literal any more.
  return isQuantifier(source[i]) && text !== '' ? { text: '', next: -1 } : { text, next: i };
}

/** Parses one top-level alternative from `at` into its expansions; null if outside the grammar. */
function readAlternative(source: string, at: number): { alts: Alternative[]; next: number } | null {
  let i = at;
  const start = source[i] === '^';
  if (start) i += 1;
  let literals = [''];
  for (;;) {
    const lit = readLiteral(source, i);
    if (lit.next < 0) return null;
    literals = literals.map((l) => l + lit.text);
    i = lit.next;
    if (source[i] !== '(') break;
    // A group of literal choices, (a|b) or (?:a|b), not repeated.
    i += source.startsWith('(?:', i) ? 3 : 1;
    const choices: string[] = [];
    for (;;) {
      const choice = readLiteral(source, i);
      if (choice.next < 0) return null;
      choices.push(choice.text);
      i = choice.next;
      if (source[i] === '|') i += 1;
      else break;
    }
    if (source[i] !== ')' || isQuantifier(source[i + 1])) return null;
    i += 1;
    if (literals.length * choices.length > MAX_ALTERNATIVES) return null;
    literals = literals.flatMap((l) => choices.map((c) => l + c));
  }
  const dotStar = source.startsWith('.*', i) && !isQuantifier(source[i + 2]);
  if (dotStar) i += 2;
  const end = source[i] === '$';
  if (end) i += 1;
  if (i < source.length && source[i] !== '|') return null;
  return { alts: literals.map((literal) => ({ start, literal, dotStar, end })), next: i };
}

/** One alternative as a specialised check (Rust's meaning of `^`, `.*` and `$` in string operations). */
function check({ start, literal, dotStar, end }: Alternative): (text: string) => boolean {
  // Without `$` a trailing `.*` can match nothing, so it changes nothing.
  if (!end) return start ? (text) => text.startsWith(literal) : (text) => text.includes(literal);
  if (!dotStar) return start ? (text) => text === literal : (text) => text.endsWith(literal);
  // `.*$`: from the end of the literal to the end of the text without a \n (the literal holds none).
  if (start) return (text) => text.startsWith(literal) && text.indexOf('\n', literal.length) === -1;
  return (text) => text.indexOf(literal, text.lastIndexOf('\n') + 1) !== -1;
}

function commonPrefix(texts: string[]): string {
  let prefix = texts[0] ?? '';
  for (const t of texts) while (!t.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

/** A matcher for a pattern made only of literal alternatives, or null when the pattern needs a regex engine. */
export function literalMatcher(source: string): RustRegex | null {
  const alts: Alternative[] = [];
  let i = 0;
  for (;;) {
    const read = readAlternative(source, i);
    if (!read) return null;
    alts.push(...read.alts);
    if (alts.length > MAX_ALTERNATIVES) return null;
    if (read.next >= source.length) break;
    i = read.next + 1; // past the `|`
  }
  const checks = alts.map(check);
  // `^4[.]9[.](0|1|2)[+].*$` expands to three alternatives starting "4.9.": most versions fail that one test.
  const prefix = alts.every((a) => a.start) ? commonPrefix(alts.map((a) => a.literal)) : '';
  return {
    test(text: string): boolean {
      if (!text.startsWith(prefix)) return false;
      for (const c of checks) if (c(text)) return true;
      return false;
    },
  };
}
